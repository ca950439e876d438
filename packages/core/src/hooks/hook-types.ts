import type * as tf from '@tensorflow/tfjs-core';

import type { ModelNode } from '../modules/model-node.js';

/**
 * Where a hook runs, relative to its module's computation:
 * - `forward-pre`: before it, with its inputs (may replace them);
 * - `forward`: after it, with its output (may replace it);
 * - `backward-pre`: during backpropagation, with the gradient w.r.t. its output (may replace it);
 * - `backward`: during backpropagation, with the gradient w.r.t. its input (may replace it).
 *
 * @example
 * const direction: HookDirection = 'backward-pre';
 * registerHook(model, 'fc2', direction, clipGradient);
 */
export type HookDirection = 'forward-pre' | 'forward' | 'backward-pre' | 'backward';

/**
 * Every direction, in the order hooks run for one call and its backward pass.
 *
 * @example
 * for (const direction of hookDirections) console.log(direction, hookCounts(node)[direction]);
 */
export const hookDirections: readonly HookDirection[] = [
  'forward-pre',
  'forward',
  'backward-pre',
  'backward',
];

/**
 * What a hook is told about where it runs.
 *
 * @example
 * const logShape: ForwardHook = (output, _args, context: HookContext) => {
 *   console.log(`${context.direction} '${context.path}'`, (output as tf.Tensor).shape);
 * };
 */
export interface HookContext {
  /** The module path the hook was registered at (`''` for the root). */
  readonly path: string;
  readonly module: ModelNode;
  readonly direction: HookDirection;
}

/**
 * Context of a gradient hook: which tensor input (backward) or output (backward-pre) the gradient is for.
 *
 * @example
 * registerHook(model, 'fc2', 'backward', (gradient, context: GradientHookContext) => {
 *   console.log(`gradient w.r.t. input ${context.index} of '${context.path}'`, gradient.shape);
 *   return undefined; // keeps the gradient
 * });
 */
export interface GradientHookContext extends HookContext {
  /** Position among the module's tensor inputs or outputs, in the order they are passed or returned. */
  readonly index: number;
}

/**
 * Sees the module's arguments before it runs; returning an array replaces them (same structure, shapes and
 * dtypes), returning nothing keeps them. A Module's arguments are those of its `forward`; a Layers layer's are
 * its input tensors, one per input, whether the layer was given a tensor or an array.
 *
 * @example
 * const scaleInput: ForwardPreHook = ([x]) => [tf.mul(x as tf.Tensor, 2)];
 */
export type ForwardPreHook = (
  args: readonly unknown[],
  context: HookContext,
) => readonly unknown[] | undefined;

/**
 * Sees the module's output; returning a value replaces it (a tensor of the same shape and dtype for a
 * tensor output), returning nothing keeps it.
 *
 * @example
 * const addOne: ForwardHook = (output) => tf.add(output as tf.Tensor, 1);
 */
export type ForwardHook = (output: unknown, args: readonly unknown[], context: HookContext) => unknown;

/**
 * Sees one gradient during backpropagation (w.r.t. an output for `backward-pre`, an input for `backward`);
 * returning a tensor of the same shape replaces it, returning nothing keeps it.
 *
 * @example
 * const clipGradient: GradientHook = (gradient) => tf.clipByValue(gradient, -1, 1);
 */
export type GradientHook = (gradient: tf.Tensor, context: GradientHookContext) => tf.Tensor | undefined;

/**
 * The hook type that goes with each direction.
 *
 * @example
 * const onOutput: HookByDirection['forward'] = (output) => tf.relu(output as tf.Tensor); // a ForwardHook
 * registerHook(model, 'fc2', 'forward', onOutput);
 */
export interface HookByDirection {
  'forward-pre': ForwardPreHook;
  forward: ForwardHook;
  'backward-pre': GradientHook;
  backward: GradientHook;
}

/**
 * Any hook.
 *
 * @example
 * const hooks: AnyHook[] = [scaleInput, addOne, clipGradient];
 */
export type AnyHook = HookByDirection[HookDirection];
