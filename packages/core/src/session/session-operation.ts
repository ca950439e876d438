import type { HookSpec } from '../methods/hook-spec.js';
import type { TargetJSON } from './target.js';

/**
 * One entry of a session's program: what was installed where, in installation order. A {@link HookSpec} (so
 * the methods' program helpers apply) with the target it acts on; model-free plain data, so
 * `JSON.stringify(session.program)` records what a session did. Parameter operations act at once and have no
 * hook direction (`null`); a stop has no target.
 *
 * @example
 * const entry: SessionOperation = {
 *   path: 'fc1',
 *   direction: 'forward',
 *   operation: 'capture',
 *   target: normalizeTarget({ path: 'fc1', indices: [2] }),
 * };
 */
export interface SessionOperation extends HookSpec {
  readonly path: string;
  readonly direction: 'forward' | 'backward-pre' | null;
  readonly operation: 'capture' | 'replace' | 'stop';
  readonly target?: TargetJSON;
}
