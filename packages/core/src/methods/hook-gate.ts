import type { HookByDirection, HookDirection } from '../hooks/hook-types.js';

/**
 * Whether the hooks a prepared model installed act. Open by default (a prepared model on its own); a
 * prepared workflow keeps every method installed and opens a method's gate only while that method's
 * execution runs, so each execution sees its own hooks only. A closed gate makes each hook keep what it
 * is given (it returns nothing), which every hook direction reads as "unchanged".
 *
 * @example
 * const gate: HookGate = { open: false };
 * registerHook(model, 'fc1', 'forward', gateHook(gate, capture)); // capture runs only while gate.open
 */
export interface HookGate {
  open: boolean;
}

// Kept on the prepared model under a registry-wide symbol, as hook chains are, so that a workflow from
// another copy of @tdhook/core (ESM next to CJS) can gate methods prepared by this one.
const gateKey = Symbol.for('tdhook.hook-gate');

/**
 * Gives `owner` (a prepared model) an open gate and returns it.
 *
 * @example
 * const gate = attachHookGate(this);
 */
export function attachHookGate(owner: object): HookGate {
  const gate: HookGate = { open: true };
  Object.defineProperty(owner, gateKey, { value: gate });
  return gate;
}

/**
 * The gate of a prepared model, or undefined for anything that has none (a prepared model made elsewhere).
 *
 * @example
 * const gate = hookGateOf(prepared);
 * if (gate !== undefined) gate.open = false;
 */
export function hookGateOf(value: unknown): HookGate | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const gate = (value as Record<symbol, unknown>)[gateKey];
  return typeof gate === 'object' && gate !== null && typeof (gate as HookGate).open === 'boolean'
    ? (gate as HookGate)
    : undefined;
}

/**
 * `hook`, acting only while `gate` is open; closed, it returns nothing (keeps the value it is given).
 *
 * @example
 * registerHook(model, 'fc1', 'forward', gateHook(gate, (output) => tf.add(output as tf.Tensor, 1)));
 */
export function gateHook<D extends HookDirection>(
  gate: HookGate,
  hook: HookByDirection[D],
): HookByDirection[D] {
  const call = hook as (...args: unknown[]) => unknown;
  return ((...args: unknown[]) => (gate.open ? call(...args) : undefined)) as HookByDirection[D];
}
