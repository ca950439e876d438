import * as tf from '@tensorflow/tfjs-core';

// TF.js's fused ops (what tfjs-layers Dense, Conv2D and DepthwiseConv2D run) have eager custom gradients: one
// backward step computes the input, weight and bias gradients together, though attribution only ever needs
// the input's. The weight gradient costs about as much as the input gradient. So while such a node is
// backpropagated with its weight (input '1') not differentiated, the kernel that computes the weight
// gradient returns zeros of the right shape instead; the zeros are discarded by the node's caller.
// - Convolutions: the filter gradient has a kernel of its own, skipped whenever it runs in that step.
// - Matmul: both gradients are BatchMatMul calls; tfjs-core 4.22's fused matMul gradient computes the input
//   gradient first and the weight gradient second, in all four transpose cases, so the second top-level call
//   is skipped (calls a patched kernel makes from inside itself are passed through, uncounted).
interface Skip {
  readonly kernelName: string;
  /** Which top-level call of the kernel during the step returns zeros: every one, or only the second. */
  readonly calls: 'every' | 'second';
  readonly outputShape: (inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap) => number[];
}

const filterShape = (_inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap): number[] => [
  ...(attrs as unknown as { filterShape: number[] }).filterShape,
];

function matMulShape(inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap): number[] {
  const a = inputs.a?.shape ?? [];
  const b = inputs.b?.shape ?? [];
  const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
  const rows = transposeA ? a[a.length - 1] : a[a.length - 2];
  const columns = transposeB ? b[b.length - 2] : b[b.length - 1];
  const batch = tf.backend_util.assertAndGetBroadcastShape(a.slice(0, -2), b.slice(0, -2));
  return [...batch, rows ?? 1, columns ?? 1];
}

const skips: Readonly<Record<string, Skip>> = {
  fusedConv2d__op: { kernelName: 'Conv2DBackpropFilter', calls: 'every', outputShape: filterShape },
  fusedDepthwiseConv2d__op: {
    kernelName: 'DepthwiseConv2dNativeBackpropFilter',
    calls: 'every',
    outputShape: filterShape,
  },
  fusedMatMul__op: { kernelName: 'BatchMatMul', calls: 'second', outputShape: matMulShape },
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

function zeros(backend: ZeroFilling, shape: number[]): tf.TensorInfo {
  const values = new Float32Array(shape.reduce((product, dim) => product * dim, 1));
  return backend.makeTensorInfo === undefined
    ? (backend.makeOutput as NonNullable<ZeroFilling['makeOutput']>)(shape, 'float32', undefined, values)
    : backend.makeTensorInfo(shape, 'float32', values);
}

function skippingKernel(skip: Skip, original: tf.KernelConfig): tf.KernelConfig {
  let calls = 0;
  let depth = 0;
  return {
    ...original,
    kernelFunc: (args) => {
      if (depth > 0) return original.kernelFunc(args);
      calls += 1;
      if (skip.calls === 'every' || calls === 2) {
        return zeros(args.backend, skip.outputShape(args.inputs, args.attrs ?? {}));
      }
      depth += 1;
      try {
        return original.kernelFunc(args);
      } finally {
        depth -= 1;
      }
    },
  };
}

/**
 * Runs `backward` (one tape node's gradient step) without computing the node's weight gradient, when the
 * node is a fused dense or convolution op and its weight (input `'1'`) is not among `inputs`, the node's
 * differentiated inputs.
 */
export function withoutUnusedParameterGradients<T>(
  kernelName: string,
  inputs: Readonly<Record<string, unknown>>,
  backward: () => T,
): T {
  const skip = skips[kernelName];
  if (skip === undefined || '1' in inputs || !('0' in inputs)) return backward();
  const backendName = tf.getBackend();
  const original = findKernel(skip.kernelName, backendName);
  if (original === undefined || !canFill(tf.backend())) return backward();
  tf.unregisterKernel(skip.kernelName, backendName);
  tf.registerKernel(skippingKernel(skip, original));
  try {
    return backward();
  } finally {
    tf.unregisterKernel(skip.kernelName, backendName);
    tf.registerKernel(original);
  }
}
