import * as tf from '@tensorflow/tfjs-core';

// TF.js's fused ops (what tfjs-layers Dense, Conv2D and DepthwiseConv2D run) have eager custom gradients: one
// backward step computes the input, weight and bias gradients together, though attribution only ever needs
// the input's. The weight gradient costs about as much as the input gradient, the bias gradient a reduction
// over the whole batch. So while such a node is backpropagated with its weight (input '1') or bias (input
// '2') not differentiated, the kernel that computes that gradient returns zeros of the right shape instead;
// the node's caller discards them.
// - Convolutions: the filter gradient has a kernel of its own, skipped whenever it runs in that step.
// - Matmul: both gradients are BatchMatMul calls; tfjs-core 4.22's fused matMul gradient computes the input
//   gradient first and the weight gradient second, in all four transpose cases, so the second top-level call
//   is skipped.
// - Bias: the only Sum a fused op's gradient step runs (the activation gradients have none).
// Calls a patched kernel makes from inside itself are passed through, uncounted.
interface Skip {
  /** The node input whose gradient this is. */
  readonly input: string;
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

function sumShape(inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap): number[] {
  const shape = inputs.x?.shape ?? [];
  const { axis, keepDims } = attrs as unknown as { axis: number | number[]; keepDims: boolean };
  const axes = tf.util.parseAxisParam(axis, shape);
  const [outShape] = tf.backend_util.computeOutAndReduceShapes(shape, axes);
  return keepDims ? tf.backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
}

const biasSkip: Skip = { input: '2', kernelName: 'Sum', calls: 'every', outputShape: sumShape };

const skips: Readonly<Record<string, readonly Skip[]>> = {
  fusedConv2d__op: [
    { input: '1', kernelName: 'Conv2DBackpropFilter', calls: 'every', outputShape: filterShape },
    biasSkip,
  ],
  fusedDepthwiseConv2d__op: [
    {
      input: '1',
      kernelName: 'DepthwiseConv2dNativeBackpropFilter',
      calls: 'every',
      outputShape: filterShape,
    },
    biasSkip,
  ],
  fusedMatMul__op: [
    { input: '1', kernelName: 'BatchMatMul', calls: 'second', outputShape: matMulShape },
    biasSkip,
  ],
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
 * Runs `backward` (one tape node's gradient step) without computing the node's weight and bias gradients,
 * when the node is a fused dense or convolution op and they are not among `inputs`, the node's
 * differentiated inputs.
 */
export function withoutUnusedParameterGradients<T>(
  kernelName: string,
  inputs: Readonly<Record<string, unknown>>,
  backward: () => T,
): T {
  const candidates = skips[kernelName];
  if (candidates === undefined || !('0' in inputs) || !canFill(tf.backend())) return backward();
  const backendName = tf.getBackend();
  const installed: tf.KernelConfig[] = [];
  try {
    for (const skip of candidates) {
      if (skip.input in inputs) continue;
      const original = findKernel(skip.kernelName, backendName);
      if (original === undefined) continue;
      tf.unregisterKernel(skip.kernelName, backendName);
      tf.registerKernel(skippingKernel(skip, original));
      installed.push(original);
    }
    return backward();
  } finally {
    for (const original of installed) {
      tf.unregisterKernel(original.kernelName, backendName);
      tf.registerKernel(original);
    }
  }
}
