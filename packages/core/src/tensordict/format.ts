import { formatKey } from '../keys.js';
import { isTensorDict } from './brand.js';
import { isTensor } from '../value-guards.js';
import { describeNonTensor } from './non-tensor.js';
import { formatShape } from './shape.js';
import type { TensorDict } from './tensor-dict.js';

/**
 * How an entry value is shown: `float32[2,16]` for a tensor, `TensorDict(batchShape=[2])` for a nested dict,
 * the type for a non-tensor leaf (`string`, `array(3)`, `Date`).
 *
 * @example
 * describeEntry(tf.zeros([2, 16])); // 'float32[2,16]'
 */
export function describeEntry(value: unknown): string {
  if (isTensor(value)) return `${value.dtype}${formatShape(value.shape)}`;
  if (isTensorDict(value)) return `TensorDict(batchShape=${formatShape(value.batchShape)})`;
  return describeNonTensor(value);
}

function appendEntries(td: TensorDict, depth: number, lines: string[]): void {
  const indent = '  '.repeat(depth);
  for (const [key, value] of td.entries({ nested: false, leavesOnly: false })) {
    lines.push(`${indent}${formatKey(key)}: ${describeEntry(value)}`);
    if (isTensorDict(value)) appendEntries(value, depth + 1, lines);
  }
}

/**
 * The multi-line printout of a TensorDict: its batch shape, then one line per entry, nested dicts indented.
 *
 * @example
 * formatTensorDict(td);
 * // TensorDict(batchShape=[2])
 * //   "input": float32[2,16]
 * //   "attr": TensorDict(batchShape=[2])
 * //     "input": float32[2,16]
 */
export function formatTensorDict(td: TensorDict): string {
  if (td.isDisposed) return 'TensorDict(disposed)';
  const lines = [describeEntry(td)];
  appendEntries(td, 1, lines);
  return lines.join('\n');
}
