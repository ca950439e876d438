// A rule replaces a module's backward pass: a forward hook hands on a copy of the module's output whose
// gradient function is the rule (tf.customGrad over the module's inputs). The forward value is unchanged.
import * as tf from '@tensorflow/tfjs-core';

import { InvalidValueError, type ForwardHook } from '@tdhook/core';
import { isTensor } from '@tdhook/core/plugin';

import { AttributionError } from '../errors.js';
import { isolatedGradients } from './isolated-gradients.js';
import type { LrpLayer } from './layer-types.js';
import type { LrpRule } from './lrp-rule.js';

/**
 * Tolerances of the conservation check: per sample, `|ΣR_in − ΣR_out| ≤ atol + rtol·|ΣR_out|`.
 *
 * @example
 * const check: ConservationTolerance = { rtol: 1e-4, atol: 1e-6 };
 */
export interface ConservationTolerance {
  /** Relative tolerance. Default `1e-4`. */
  readonly rtol?: number;
  /** Absolute tolerance. Default `1e-6`. */
  readonly atol?: number;
}

const perSample = (tensor: tf.Tensor): tf.Tensor =>
  tensor.rank <= 1
    ? tensor
    : tf.sum(
        tensor,
        Array.from({ length: tensor.rank - 1 }, (_, axis) => axis + 1),
      );

/**
 * Collects the first conservation violation of a run. Checks run inside backward steps; the error is thrown
 * once the pass is over (`take`), so that the pass releases its tensors as usual.
 */
export class ConservationMonitor {
  readonly #tolerance: Required<ConservationTolerance>;
  #violation: AttributionError | undefined;

  /** `tolerance` as LRP's configure filled it in. */
  constructor(tolerance: Required<ConservationTolerance>) {
    this.#tolerance = { rtol: tolerance.rtol, atol: tolerance.atol };
  }

  check(path: string, layer: LrpLayer, relevance: tf.Tensor, inputs: readonly tf.Tensor[]): void {
    if (this.#violation !== undefined) return;
    const { rtol, atol } = this.#tolerance;
    const [outgoing, incoming] = tf.tidy(() => [
      perSample(relevance).dataSync(),
      tf.addN(inputs.map(perSample)).dataSync(),
    ]);
    for (let row = 0; row < outgoing.length; row++) {
      const out = outgoing[row] ?? 0;
      const into = incoming[row] ?? 0;
      if (!(Math.abs(into - out) <= atol + rtol * Math.abs(out))) {
        this.#violation = new AttributionError('E_ATTRIBUTION_CONSERVATION', {
          what: `Relevance is not conserved at module '${path}' (${layer.description}): sample ${row} has ΣR_out = ${out} and ΣR_in = ${into}`,
          where: `module '${path}'`,
          fix: 'Biases and stabilisers absorb relevance: zero them, use a conserving rule, or widen checkConservation.',
        });
        return;
      }
    }
  }

  /** The violation found since the last call, if any; clears it. */
  take(): AttributionError | undefined {
    const violation = this.#violation;
    this.#violation = undefined;
    return violation;
  }
}

function sameShape(a: tf.Tensor, b: tf.Tensor): boolean {
  return a.rank === b.rank && a.shape.every((size, axis) => size === b.shape[axis]);
}

/** The rule's result, checked: one float tensor per input, shaped like it (third-party rules included). */
function checkedRelevance(
  result: unknown,
  inputs: readonly tf.Tensor[],
  rule: LrpRule,
  where: string,
): tf.Tensor[] {
  const list = Array.isArray(result) ? (result as unknown[]) : [];
  const fits =
    list.length === inputs.length &&
    list.every((value, index) => isTensor(value) && sameShape(value, inputs[index] as tf.Tensor));
  if (fits) return list as tf.Tensor[];
  throw new InvalidValueError({
    what: `The ${rule.name} rule returned ${Array.isArray(result) ? `${list.length} value(s) ${list.map((value) => (isTensor(value) ? JSON.stringify(value.shape) : typeof value)).join(', ')}` : typeof result} for ${inputs.length} input(s) ${inputs.map((input) => JSON.stringify(input.shape)).join(', ')}`,
    where,
    fix: 'A rule returns one relevance tensor per input, shaped like that input.',
  });
}

/**
 * The forward hook that applies `rule` to every call of the module at `path`; with `conservation`, each
 * backward step checks that the relevance sums match and reports to it.
 */
export function ruleHook(
  path: string,
  layer: LrpLayer,
  rule: LrpRule,
  conservation: ConservationMonitor | undefined,
): ForwardHook {
  const where = `LRP rule for module '${path}' (${layer.description})`;
  return (output, args) => {
    const inputs = args.filter(isTensor);
    if (!isTensor(output) || inputs.length === 0 || inputs.some((input) => input.dtype !== 'float32')) {
      throw new InvalidValueError({
        what: `The ${rule.name} rule needs float32 tensor inputs and one tensor output; the module got ${inputs.length} tensor input(s) (${inputs.map((input) => input.dtype).join(', ')}) and returned ${isTensor(output) ? 'a tensor' : 'something else'}`,
        where,
        fix: 'Map rules to modules with float inputs and one output (embeddings: attribute their output instead).',
      });
    }
    // Checked in the forward pass, so that a mismatch is reported before any backward step.
    const refused = rule.checkCall({ layer, inputs, output });
    if (refused !== undefined) {
      throw new InvalidValueError({
        what: refused,
        where,
        fix: 'Map this module to a rule that fits it (rules.paths, rules.types, ruleMapper), or skip it.',
      });
    }
    const count = inputs.length;
    const relevant = tf.customGrad((...received: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const save = received[count] as tf.GradSaveFunc;
      save([...inputs, output]);
      return {
        // A new tensor: the tape cannot record a node whose output is another node's.
        value: tf.clone(output),
        gradFunc: (relevance: tf.Tensor, saved: tf.Tensor[]) =>
          tf.tidy(() => {
            const xs = saved.slice(0, count);
            const result = checkedRelevance(
              rule.relevance({
                layer,
                inputs: xs,
                output: saved[count] as tf.Tensor,
                relevance,
                path,
                gradients: isolatedGradients,
              }),
              xs,
              rule,
              where,
            );
            if (conservation !== undefined && rule.conservationChecked) {
              conservation.check(path, layer, relevance, result);
            }
            return result;
          }),
      };
    });
    return relevant(...inputs);
  };
}
