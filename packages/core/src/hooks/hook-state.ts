import type * as tf from '@tensorflow/tfjs-core';

import { HookError, TdhookError } from '../errors.js';
import { describeNode, interceptedMethodOf, type ModelNode } from '../modules/model-node.js';
import { Module } from '../modules/module.js';
import { EarlyStop } from './early-stop.js';
import { checkHookDirection, checkHookFunction } from './hook-arguments.js';
import { gradientTap } from './gradient-tap.js';
import type { HookByDirection, HookContext, HookDirection } from './hook-types.js';
import { describeStructure, mapTensorLeaves, sameStructure } from './tensor-leaves.js';

interface HookEntry<D extends HookDirection = HookDirection> {
  readonly hook: HookByDirection[D];
  readonly context: HookContext;
}

interface NodeHooks {
  readonly entries: { [D in HookDirection]: HookEntry<D>[] };
  uninstall(): void;
}

// Kept on the instance under a registry-wide symbol, not in a module-level map, so that two copies of
// @tdhook/core (ESM and CJS) hooking the same model share one chain and restore it in order.
const hooksKey = Symbol.for('tdhook.node-hooks');

function hooksOf(node: ModelNode): NodeHooks | undefined {
  return (node as unknown as Record<symbol, NodeHooks | undefined>)[hooksKey];
}

type Method = (this: unknown, ...args: unknown[]) => unknown;

function install(node: ModelNode): NodeHooks {
  const methodName = interceptedMethodOf(node);
  const target = node as unknown as Record<string, Method>;
  const ownDescriptor = Object.getOwnPropertyDescriptor(node, methodName);
  const original = target[methodName];
  if (typeof original !== 'function') {
    throw new HookError({
      what: `${describeNode(node)} has no ${methodName}() to hook`,
      fix: 'Hook a module or a Layers layer.',
    });
  }
  const hooks: NodeHooks = {
    entries: { 'forward-pre': [], forward: [], 'backward-pre': [], backward: [] },
    uninstall() {
      // Put back exactly what was there: the instance's own property, or nothing (the prototype's method).
      if (ownDescriptor === undefined) Reflect.deleteProperty(node, methodName);
      else Object.defineProperty(node, methodName, ownDescriptor);
      Reflect.deleteProperty(node, hooksKey);
    },
  };
  const isLayer = !(node instanceof Module);
  Object.defineProperty(node, methodName, {
    configurable: true,
    writable: true,
    value: function hooked(this: unknown, ...rawArgs: unknown[]): unknown {
      if (!isLayer) return runHooked(node, hooks, (args) => original.apply(this, args), rawArgs);
      // A layer's call(inputs, kwargs): hooks see the input tensors as the argument list, whether the layer
      // got one tensor or an array; the layer gets them back in the form it was given.
      const [inputs, kwargs] = rawArgs;
      const given = Array.isArray(inputs);
      return runHooked(
        node,
        hooks,
        (args) => original.apply(this, [given ? args : args[0], kwargs]),
        given ? [...(inputs as unknown[])] : [inputs],
      );
    },
  });
  Object.defineProperty(node, hooksKey, { configurable: true, value: hooks });
  return hooks;
}

function wrapFailure(error: unknown, context: HookContext): unknown {
  if (EarlyStop.is(error) || TdhookError.is(error)) return error;
  return new HookError({
    what: `A ${context.direction} hook threw: ${error instanceof Error ? error.message : String(error)}`,
    where: `module '${context.path}'`,
    fix: 'See the cause; the model is unchanged and its hooks are removed when their owner is disposed.',
    cause: error,
  });
}

function runGradientHooks(
  entries: readonly HookEntry<'backward' | 'backward-pre'>[],
  gradient: tf.Tensor,
  index: number,
): tf.Tensor {
  let current = gradient;
  for (const { hook, context } of entries) {
    let replacement: tf.Tensor | undefined;
    try {
      replacement = hook(current, { ...context, index });
    } catch (error) {
      throw wrapFailure(error, context);
    }
    if (replacement === undefined) continue;
    if (!sameStructure(current, replacement)) {
      throw new HookError({
        what: `A ${context.direction} hook returned ${describeStructure(replacement)} for a gradient ${describeStructure(current)}`,
        where: `module '${context.path}', tensor ${index}`,
        fix: 'Return a tensor of the same shape and dtype, or nothing to keep the gradient.',
      });
    }
    current = replacement;
  }
  return current;
}

function runHooked(
  node: ModelNode,
  hooks: NodeHooks,
  callOriginal: (args: unknown[]) => unknown,
  initialArgs: unknown[],
): unknown {
  const { entries } = hooks;
  // Snapshot: hooks added or removed during this call apply from the next call on.
  const forwardPre = [...entries['forward-pre']];
  const forward = [...entries.forward];
  const backwardPre = [...entries['backward-pre']];
  const backward = [...entries.backward];

  let args = initialArgs;
  for (const { hook, context } of forwardPre) {
    let replacement: readonly unknown[] | undefined;
    try {
      replacement = hook(args, context);
    } catch (error) {
      throw wrapFailure(error, context);
    }
    if (replacement === undefined) continue;
    if (!sameStructure(args, replacement)) {
      throw new HookError({
        what: `A forward-pre hook returned ${describeStructure(replacement)} for arguments ${describeStructure(args)}`,
        where: `module '${context.path}' (${describeNode(node)})`,
        fix: 'Return an array of arguments of the same shapes and dtypes, or nothing to keep them.',
      });
    }
    args = replacement.slice();
  }
  if (backward.length > 0) {
    args = mapTensorLeaves(args, (tensor, index) =>
      gradientTap(tensor, (dy) => runGradientHooks(backward, dy, index)),
    ) as unknown[];
  }

  let output = callOriginal(args);

  for (const { hook, context } of forward) {
    let replacement: unknown;
    try {
      replacement = hook(output, args, context);
    } catch (error) {
      throw wrapFailure(error, context);
    }
    if (replacement === undefined) continue;
    if (!sameStructure(output, replacement)) {
      throw new HookError({
        what: `A forward hook returned ${describeStructure(replacement)} for an output ${describeStructure(output)}`,
        where: `module '${context.path}' (${describeNode(node)})`,
        fix: 'Return a value of the same structure, shapes and dtypes, or nothing to keep the output.',
      });
    }
    output = replacement;
  }
  if (backwardPre.length > 0) {
    output = mapTensorLeaves(output, (tensor, index) =>
      gradientTap(tensor, (dy) => runGradientHooks(backwardPre, dy, index)),
    );
  }
  return output;
}

/**
 * Adds a hook to a node and returns the function that removes it. The first hook on a node shadows its
 * `forward` (Module) or `call` (Layers) on the instance; removing the last one restores the node exactly.
 */
export function addHook<D extends HookDirection>(
  node: ModelNode,
  direction: D,
  hook: HookByDirection[D],
  options: { readonly path: string; readonly prepend?: boolean },
): () => void {
  // Checked before install(): a bad argument must not leave forward/call shadowed on the node.
  checkHookDirection(direction, `module '${options.path}'`);
  checkHookFunction(hook, direction, `module '${options.path}'`);
  const hooks = hooksOf(node) ?? install(node);
  const entry: HookEntry<D> = { hook, context: { path: options.path, module: node, direction } };
  const list = hooks.entries[direction] as HookEntry<D>[];
  if (options.prepend === true) list.unshift(entry);
  else list.push(entry);
  return () => {
    const position = list.indexOf(entry);
    if (position >= 0) list.splice(position, 1);
    const empty = Object.values(hooks.entries).every((entries: readonly unknown[]) => entries.length === 0);
    if (empty && hooksOf(node) === hooks) hooks.uninstall();
  };
}

/**
 * The number of hooks on a node, by direction; all zero when the node is untouched.
 *
 * @example
 * hookCounts(model.fc2); // { 'forward-pre': 0, forward: 1, 'backward-pre': 0, backward: 0 }
 */
export function hookCounts(node: ModelNode): Record<HookDirection, number> {
  const entries = hooksOf(node)?.entries;
  return {
    'forward-pre': entries?.['forward-pre'].length ?? 0,
    forward: entries?.forward.length ?? 0,
    'backward-pre': entries?.['backward-pre'].length ?? 0,
    backward: entries?.backward.length ?? 0,
  };
}
