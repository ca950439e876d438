import * as tf from '@tensorflow/tfjs-core';

import { engine } from './engine-access.js';
import { recordOnTape, releaseSaved, type TapeNode } from './engine-internals.js';
import { TfjsInternalsError } from './errors.js';
import { parameterGradientSkips, runWithSkips } from './parameter-gradient-skips.js';
import { requireFusedStep, requireInternals } from './self-check.js';

// tfjs-core 4.x records every kernel run while a gradient tape is open; `tf.grads` opens one, runs the
// function, backpropagates once and throws the tape away. Attributing k targets then costs k forward
// passes. Recording the forward pass ourselves lets k backward passes share it (issue 5: ~1.4x for k = 10).

/**
 * One forward computation recorded on the gradient tape, which can then be backpropagated any number of
 * times (one per target) without running the forward again. Backward steps of fused dense and convolution
 * ops skip the weight and bias gradients that nobody asked for. Dispose it to free what the kernels saved.
 * Inside an enclosing `tf.grad`, the tape stays that gradient's (higher-order gradients work).
 *
 * @example
 * const pass = RecordedPass.record(() => {
 *   const logits = model.apply(x) as tf.Tensor;
 *   return [tf.sum(tf.slice(logits, [0, 2], [-1, 1])), tf.sum(tf.slice(logits, [0, 5], [-1, 1]))];
 * });
 * const [class2, class5] = pass.value;
 * const [dx2] = pass.gradients(class2, [x]); // one forward, two backward passes
 * const [dx5] = pass.gradients(class5, [x]);
 * pass.dispose();
 */
export class RecordedPass<T> {
  readonly value: T;
  readonly #nodes: TapeNode[];
  readonly #ownsTape: boolean;
  #disposed = false;

  private constructor(value: T, nodes: TapeNode[], ownsTape: boolean) {
    this.value = value;
    this.#nodes = nodes;
    this.#ownsTape = ownsTape;
  }

  /**
   * Runs `forward` with the tape on. Its result is kept (the caller disposes it, typically inside an outer
   * `tf.tidy`); the intermediate tensors are released as in `tf.grads`.
   */
  static record<T extends tf.TensorContainer>(forward: () => T): RecordedPass<T> {
    requireInternals('recording');
    const { value, nodes, ownsTape } = recordOnTape(engine(), forward);
    return new RecordedPass(value, nodes, ownsTape);
  }

  /**
   * The gradients of `Σ y·dy` w.r.t. each of `xs` (tensors of the recorded pass, or its inputs); zeros where
   * `y` does not depend on one. Returns new tensors that the caller owns.
   */
  gradients(y: tf.Tensor, xs: readonly tf.Tensor[], dy?: tf.Tensor): tf.Tensor[] {
    if (this.#disposed) {
      throw new TfjsInternalsError({
        code: 'E_TFJS_DISPOSED',
        what: 'This RecordedPass was used after dispose(): the tensors its backward passes need are freed',
        where: 'RecordedPass.gradients',
        fix: 'Take every gradient you need before dispose(), or record the forward pass again.',
      });
    }
    const path = nodesFromXsToY(this.#nodes, xs, y);
    return tf.tidy(() => {
      const accumulated = new Map<number, tf.Tensor>([[y.id, dy ?? tf.onesLike(y)]]);
      backpropagate(accumulated, path);
      return xs.map((x) => {
        const gradient = accumulated.get(x.id);
        // By shape, not zerosLike: `x` may be a graph tensor its model has disposed already.
        return gradient === undefined ? tf.zeros(x.shape, 'float32') : gradient;
      });
    });
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    // An enclosing tf.grad owns its tape and frees it when it ends.
    if (this.#ownsTape) releaseSaved(this.#nodes);
  }
}

/** The nodes on a path from one of `xs` to `y`, in tape order, with inputs not reached from `xs` pruned. */
function nodesFromXsToY(tape: readonly TapeNode[], xs: readonly tf.Tensor[], y: tf.Tensor): TapeNode[] {
  // Plain loops over each node's input names: this runs once per target on every call (a rollout step
  // runs it twice on a tape of ~40 nodes), where Object.values/entries allocations showed in profiles.
  const fromX = new Set<number>();
  for (const x of xs) fromX.add(x.id);
  const reached = new Set<number>();
  for (const node of tape) {
    for (const name in node.inputs) {
      if (!fromX.has((node.inputs[name] as tf.Tensor).id)) continue;
      reached.add(node.id);
      for (const output of node.outputs) fromX.add(output.id);
      break;
    }
  }
  const toY = new Set([y.id]);
  const leading = new Set<number>();
  for (let index = tape.length - 1; index >= 0; index--) {
    const node = tape[index] as TapeNode;
    if (!node.outputs.some((output) => toY.has(output.id))) continue;
    leading.add(node.id);
    for (const name in node.inputs) toY.add((node.inputs[name] as tf.Tensor).id);
  }
  const path: TapeNode[] = [];
  for (const node of tape) {
    if (!reached.has(node.id) || !leading.has(node.id)) continue;
    const inputs: Record<string, tf.Tensor> = {};
    for (const name in node.inputs) {
      const input = node.inputs[name] as tf.Tensor;
      if (fromX.has(input.id)) inputs[name] = input;
    }
    path.push({ ...node, inputs });
  }
  return path;
}

function backpropagate(accumulated: Map<number, tf.Tensor>, path: readonly TapeNode[]): void {
  for (let index = path.length - 1; index >= 0; index--) {
    const node = path[index] as TapeNode;
    const dys = node.outputs.map((output) => accumulated.get(output.id) ?? null);
    if (dys.every((dy) => dy === null)) continue;
    if (node.gradient === undefined) {
      throw new TfjsInternalsError({
        code: 'E_TFJS_NO_GRADIENT',
        what: `No gradient is registered for the kernel ${node.kernelName}`,
        where: 'backward pass of a recorded pass',
        fix: "Register TF.js's gradients: initBackend() from @tdhook/backend does, or import '@tensorflow/tfjs' once.",
      });
    }
    const gradient = node.gradient;
    // The skips only where their check passed for this op on this backend; else the stock step.
    const skipping = node.kernelName in parameterGradientSkips && requireFusedStep(node.kernelName);
    const inputGradients = skipping
      ? runWithSkips(node.kernelName, node.inputs, () => gradient(dys)).value
      : gradient(dys);
    for (const [name, input] of Object.entries(node.inputs)) {
      const gradientOf = inputGradients[name];
      if (gradientOf === undefined) continue;
      const dx = tf.tidy(gradientOf);
      const previous = accumulated.get(input.id);
      if (previous === undefined) accumulated.set(input.id, dx);
      else accumulated.set(input.id, tf.add(previous, dx));
    }
  }
}
