import * as tf from '@tensorflow/tfjs-core';

import { onIsolatedTape, rawEngine, recordOnTape, releaseSaved, type TapeNode } from '../engine-internals.js';
import { readKernel } from '../registry-entries.js';
import {
  parameterGradientSkips,
  runWithSkips,
  type ParameterGradientSkips,
} from '../parameter-gradient-skips.js';
import { assume, brokenAssumption } from './broken-assumption.js';

/** A fused op whose backward step the skips rely on, and how to run it small. */
interface FusedCase {
  readonly name: string;
  readonly run: () => { readonly inputs: readonly tf.Tensor[]; readonly output: tf.Tensor };
}

/** The fused ops of one tape-node kernel name, and the kernels their backward step needs to run at all. */
interface FusedStep {
  readonly needs: readonly string[];
  readonly cases: readonly FusedCase[];
}

// Small, distinct, deterministic values: every gradient below is non-zero and every shape differs.
const values = (shape: readonly number[], seed: number): tf.Tensor =>
  tf.tensor(
    Array.from({ length: shape.reduce((product, dim) => product * dim, 1) }, (_, i) =>
      Math.sin(1.3 * i + seed),
    ),
    [...shape],
  );

const matMulCases: readonly FusedCase[] = /* @__PURE__ */ [false, true].flatMap((transposeA) =>
  [false, true].map((transposeB): FusedCase => ({
    name: `fused matMul (transposeA ${String(transposeA)}, transposeB ${String(transposeB)})`,
    run: () => {
      const a = values(transposeA ? [3, 2] : [2, 3], 1);
      const b = values(transposeB ? [4, 3] : [3, 4], 2);
      const bias = values([4], 3);
      return { inputs: [a, b, bias], output: tf.fused.matMul({ a, b, bias, transposeA, transposeB }) };
    },
  })),
);

/** The fused ops the parameter-gradient skips apply to, by the kernel name of their tape node. */
export const fusedSteps: Readonly<Record<string, FusedStep>> = {
  fusedMatMul__op: { needs: ['BatchMatMul', 'Sum'], cases: matMulCases },
  fusedConv2d__op: {
    needs: ['Conv2DBackpropInput', 'Conv2DBackpropFilter', 'Sum'],
    cases: [
      {
        name: 'fused conv2d',
        run: () => {
          const x = values([1, 4, 4, 2], 4) as tf.Tensor4D;
          const filter = values([2, 2, 2, 3], 5) as tf.Tensor4D;
          const bias = values([3], 6);
          return {
            inputs: [x, filter, bias],
            output: tf.fused.conv2d({ x, filter, strides: 1, pad: 'valid', bias }),
          };
        },
      },
    ],
  },
  fusedDepthwiseConv2d__op: {
    needs: ['DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter', 'Sum'],
    cases: [
      {
        name: 'fused depthwiseConv2d',
        run: () => {
          const x = values([1, 4, 4, 2], 7) as tf.Tensor4D;
          const filter = values([2, 2, 2, 1], 8) as tf.Tensor4D;
          const bias = values([2], 9);
          return {
            inputs: [x, filter, bias],
            output: tf.fused.depthwiseConv2d({ x, filter, strides: 1, pad: 'valid', bias }),
          };
        },
      },
    ],
  },
};

function isTapeNode(node: unknown): node is TapeNode {
  const candidate = node as Partial<Record<keyof TapeNode, unknown>>;
  return (
    typeof candidate.id === 'number' &&
    typeof candidate.kernelName === 'string' &&
    typeof candidate.inputs === 'object' &&
    candidate.inputs !== null &&
    Array.isArray(candidate.outputs) &&
    // No gradient when none is registered for the kernel (tfjs-core alone, in Node).
    (candidate.gradient === undefined || typeof candidate.gradient === 'function') &&
    Array.isArray(candidate.saved)
  );
}

const largestDifference = (a: tf.Tensor, b: tf.Tensor): number =>
  a.shape.length !== b.shape.length || a.shape.some((dim, axis) => dim !== b.shape[axis])
    ? Infinity
    : (tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] ?? Infinity);

/**
 * One fused op recorded on the tape is one node with inputs '0' (input), '1' (weight), '2' (bias); its
 * backward step with the parameter gradients skipped gives exactly the stock input gradient; and each skip
 * fired (its kernel ran in the step as the skip expects).
 */
function checkFusedCase(kernelName: string, fused: FusedCase, skips: ParameterGradientSkips): void {
  const where = `backward step of ${fused.name}`;
  const recording = recordOnTape(rawEngine(), () => {
    const { inputs, output } = fused.run();
    return { inputs: [...inputs], output };
  });
  try {
    const { inputs, output } = recording.value;
    const [input, weight, bias] = inputs as [tf.Tensor, tf.Tensor, tf.Tensor];
    const node = recording.nodes.find(
      (candidate) => (candidate as { kernelName?: unknown }).kernelName === kernelName,
    );
    assume(node !== undefined, where, `it is not recorded as a '${kernelName}' tape node`);
    assume(isTapeNode(node), where, 'its tape node lacks id, kernelName, inputs, outputs, gradient or saved');
    // The op reshapes its operands and result around the recorded kernel (matMul to 3-D), so compare sizes.
    const sizeOf = (name: string): number | undefined => node.inputs[name]?.size;
    assume(
      sizeOf('0') === input.size && sizeOf('1') === weight.size && sizeOf('2') === bias.size,
      where,
      "its tape node's inputs are not '0' (input), '1' (weight) and '2' (bias)",
    );
    assume(node.outputs[0]?.size === output.size, where, "its tape node's output is not the op's result");
    assume(typeof node.gradient === 'function', where, 'its tape node has no gradient');
    const gradient = node.gradient;
    const dy = tf.onesLike(output);
    const stock = gradient([dy])['0']?.();
    const { value, skipped } = runWithSkips(kernelName, { '0': input }, () => gradient([dy]), skips);
    const withSkips = value['0']?.();
    assume(
      stock !== undefined && withSkips !== undefined,
      where,
      "its gradient has no entry '0' for the input",
    );
    let difference: number;
    try {
      difference = largestDifference(stock, withSkips);
    } catch (error) {
      throw brokenAssumption(where, 'skipping the weight and bias gradients broke the input gradient', error);
    }
    assume(
      difference <= 1e-6,
      where,
      `skipping the weight and bias gradients changed the input gradient (by ${String(difference)}): the step ` +
        'no longer computes them with the kernels, or in the order, tdhook skips',
    );
    for (const [skip, count] of skipped) {
      assume(count > 0, where, `the step never ran the ${skip.kernelName} kernel the way tdhook skips it`);
    }
    assume(skipped.size > 0, where, 'no kernel of the step could be skipped');
  } finally {
    releaseSaved(recording.nodes);
  }
}

/**
 * A recorded kernel is a tape node with the fields tdhook reads; and while a tape records, tfjs-core does not
 * record a dense or conv op with a non-linear activation as a fused node: it runs the op unfused, and the
 * activation as a kernel of its own. The parameter-gradient skips rely on it: `checkFusedStep` proves the
 * backward steps of linear fused ops only, and a step with an activation fused in would also run that
 * activation's gradient, which the skips were never proven against. Returns false (not checked) inside a
 * kernel, where nothing records.
 */
export function checkRecording(): boolean {
  const engine = rawEngine();
  if (engine.state.kernelDepth > 0) return false;
  const where = 'recording on the tape';
  onIsolatedTape(engine, () => {
    tf.tidy(() => {
      const recording = recordOnTape(engine, () => {
        const a = values([2, 3], 10);
        const b = values([3, 4], 11);
        const x = values([1, 4, 4, 2], 12) as tf.Tensor4D;
        const filter = values([2, 2, 2, 3], 13) as tf.Tensor4D;
        const depthwiseFilter = values([2, 2, 2, 1], 14) as tf.Tensor4D;
        const bias = values([4], 15);
        return [
          tf.fused.matMul({ a, b, bias, activation: 'relu' }),
          tf.fused.conv2d({ x, filter, strides: 1, pad: 'valid', activation: 'relu' }),
          tf.fused.depthwiseConv2d({
            x,
            filter: depthwiseFilter,
            strides: 1,
            pad: 'valid',
            activation: 'relu',
          }),
        ];
      });
      releaseSaved(recording.nodes.filter(isTapeNode));
      assume(recording.nodes.length > 0, where, 'startTape() records no kernel');
      assume(
        recording.nodes.every(isTapeNode),
        where,
        'a tape node lacks id, kernelName, inputs, outputs, gradient or saved',
      );
      const fusedNodes = recording.nodes.filter((node) => node.kernelName in fusedSteps).length;
      const relus = recording.nodes.filter((node) => node.kernelName === 'Relu').length;
      assume(
        fusedNodes === 0 && relus === 3,
        where,
        "a dense or conv op with activation 'relu' is recorded as one fused node, not as the op and a separate " +
          'Relu kernel (tdhook proves its parameter-gradient skips for linear fused ops only)',
      );
    });
  });
  return true;
}

/**
 * Proves what the parameter-gradient skips assume about the backward step of the fused ops recorded as
 * `kernelName`, on tiny inputs on the active backend and a tape of their own. Returns false (not checked)
 * where the step cannot run at all: inside a kernel, or when the backend lacks a kernel the step needs (the
 * step then fails for the caller as it would without tdhook).
 */
export function checkFusedStep(
  kernelName: string,
  skips: ParameterGradientSkips = parameterGradientSkips,
): boolean {
  const engine = rawEngine();
  const step = fusedSteps[kernelName];
  if (step === undefined || engine.state.kernelDepth > 0) return false;
  const backendName = tf.getBackend();
  if (step.needs.some((needed) => readKernel(needed, backendName) === undefined)) return false;
  onIsolatedTape(engine, () => {
    tf.tidy(() => {
      for (const fused of step.cases) checkFusedCase(kernelName, fused, skips);
    });
  });
  return true;
}
