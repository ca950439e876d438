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
// - Bias: the only Sum a fused op's gradient step runs. The step has no activation gradient: while a tape
//   records, tfjs-core runs a fused op with an activation unfused, so the fused nodes on a tape are linear.
// Calls a patched kernel makes from inside itself are passed through, uncounted. The self-check
// (checks/gradient-step-checks.ts) proves all of this on the installed tfjs-core before the first use.
import * as tf from '@tensorflow/tfjs-core';

import { pushKernelLayer, readKernel } from './registry-entries.js';

/** One parameter gradient a fused op's backward step need not compute. */
export interface ParameterGradientSkip {
  /** The node input whose gradient this is. */
  readonly input: string;
  readonly kernelName: string;
  /** Which top-level call of the kernel during the step returns zeros: every one, or the n-th (1-based). */
  readonly calls: 'every' | number;
  readonly outputShape: (inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap) => number[];
}

/** The skips per fused op, by the tape node's kernel name. */
export type ParameterGradientSkips = Readonly<Record<string, readonly ParameterGradientSkip[]>>;

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

const biasSkip: ParameterGradientSkip = {
  input: '2',
  kernelName: 'Sum',
  calls: 'every',
  outputShape: sumShape,
};

/** What tfjs-core 4.22's fused ops compute in their backward step, as the skips rely on it. */
export const parameterGradientSkips: ParameterGradientSkips = {
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
  fusedMatMul__op: [{ input: '1', kernelName: 'BatchMatMul', calls: 2, outputShape: matMulShape }, biasSkip],
};

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

function skippingKernel(
  skip: ParameterGradientSkip,
  below: tf.KernelConfig,
  count: () => void,
): tf.KernelConfig {
  let calls = 0;
  let depth = 0;
  return {
    ...below,
    kernelFunc: (args) => {
      if (depth > 0) return below.kernelFunc(args);
      calls += 1;
      if (skip.calls === 'every' || calls === skip.calls) {
        count();
        return zeros(args.backend, skip.outputShape(args.inputs, args.attrs ?? {}));
      }
      depth += 1;
      try {
        return below.kernelFunc(args);
      } finally {
        depth -= 1;
      }
    },
  };
}

/** The result of a backward step, and how many kernel calls each skip turned into zeros. */
export interface SkippedStep<T> {
  readonly value: T;
  readonly skipped: ReadonlyMap<ParameterGradientSkip, number>;
}

/**
 * Runs `backward` (one tape node's gradient step) without computing the node's weight and bias gradients,
 * when the node is a fused op of `skips` and they are not among `inputs`, the node's differentiated inputs.
 * Unchecked: callers make sure the self-check passed.
 */
export function runWithSkips<T>(
  kernelName: string,
  inputs: Readonly<Record<string, unknown>>,
  backward: () => T,
  skips: ParameterGradientSkips = parameterGradientSkips,
): SkippedStep<T> {
  const skipped = new Map<ParameterGradientSkip, number>();
  const candidates = skips[kernelName];
  if (candidates === undefined || !('0' in inputs) || !canFill(tf.backend())) {
    return { value: backward(), skipped };
  }
  const backendName = tf.getBackend();
  const undos: (() => void)[] = [];
  try {
    for (const skip of candidates) {
      if (skip.input in inputs || readKernel(skip.kernelName, backendName) === undefined) continue;
      skipped.set(skip, 0);
      const count = (): void => {
        skipped.set(skip, (skipped.get(skip) ?? 0) + 1);
      };
      undos.push(
        pushKernelLayer(skip.kernelName, backendName, (below) =>
          below === undefined ? undefined : skippingKernel(skip, below, count),
        ),
      );
    }
    return { value: backward(), skipped };
  } finally {
    for (const undo of undos.reverse()) undo();
  }
}
