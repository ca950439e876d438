import * as tf from '@tensorflow/tfjs-core';

// TF.js's fused convolutions (what tfjs-layers Conv2D and DepthwiseConv2D run) have eager custom gradients:
// one backward step computes the input, filter and bias gradients together, though attribution only ever
// needs the input's. The filter gradient is about as costly as the input gradient, so while such a node
// is backpropagated without its filter among the differentiated tensors, its filter-gradient kernel is
// swapped for one that returns zeros of the right shape. The zeros are discarded; nothing else runs then.
const filterGradientKernels: Readonly<Record<string, string>> = {
  fusedConv2d__op: 'Conv2DBackpropFilter',
  fusedDepthwiseConv2d__op: 'DepthwiseConv2dNativeBackpropFilter',
};

const findKernel = tf.getKernel as (kernelName: string, backendName: string) => tf.KernelConfig | undefined;

// cpu, webgl and node backends make a tensor from values with makeTensorInfo, wasm with makeOutput.
interface ZeroFilling {
  makeTensorInfo?(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
  makeOutput?(shape: number[], dtype: tf.DataType, offset: undefined, values: Float32Array): tf.TensorInfo;
}

function canFill(backend: unknown): backend is ZeroFilling {
  const candidate = backend as ZeroFilling;
  return typeof candidate.makeTensorInfo === 'function' || typeof candidate.makeOutput === 'function';
}

function zerosKernel(kernelName: string, backendName: string): tf.KernelConfig {
  return {
    kernelName,
    backendName,
    kernelFunc: ({ attrs, backend }) => {
      const shape = [...(attrs as unknown as { filterShape: number[] }).filterShape];
      const zeros = new Float32Array(shape.reduce((product, dim) => product * dim, 1));
      const filling = backend as unknown as ZeroFilling;
      return filling.makeTensorInfo === undefined
        ? (filling.makeOutput as NonNullable<ZeroFilling['makeOutput']>)(shape, 'float32', undefined, zeros)
        : filling.makeTensorInfo(shape, 'float32', zeros);
    },
  };
}

/**
 * Runs `backward` (one tape node's gradient) with the filter gradient of a fused convolution skipped, when
 * the node is one and its filter (input `'1'`) is not differentiated (`inputs` are the node's pruned inputs).
 */
export function withoutUnusedFilterGradient<T>(
  kernelName: string,
  inputs: Readonly<Record<string, unknown>>,
  backward: () => T,
): T {
  const filterKernel = filterGradientKernels[kernelName];
  if (filterKernel === undefined || '1' in inputs) return backward();
  const backendName = tf.getBackend();
  const original = findKernel(filterKernel, backendName);
  if (original === undefined || !canFill(tf.backend())) return backward();
  tf.unregisterKernel(filterKernel, backendName);
  tf.registerKernel(zerosKernel(filterKernel, backendName));
  try {
    return backward();
  } finally {
    tf.unregisterKernel(filterKernel, backendName);
    tf.registerKernel(original);
  }
}
