// Choosing the next token from one sequence's last-position logits, on the CPU in float64: the vocabulary row is
// small next to the forward pass, and plain arithmetic makes seeded sampling identical on every backend.
import type { CheckedGenerateOptions } from './generation-options.js';

/** The index of the largest logit; the lowest index among ties (as tf.argMax). */
export function argmax(logits: Float32Array, offset: number, size: number): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let i = 0; i < size; i++) {
    const value = logits[offset + i] ?? -Infinity;
    if (value > bestValue) {
      bestValue = value;
      best = i;
    }
  }
  return best;
}

/** Draws from softmax(logits / temperature) over the topK largest logits (ties at the k-th kept). */
export function sample(
  logits: Float32Array,
  offset: number,
  size: number,
  strategy: { readonly temperature: number; readonly topK: number },
  random: () => number,
): number {
  const row = Array.from(logits.subarray(offset, offset + size), (value) => value / strategy.temperature);
  let threshold = -Infinity;
  if (strategy.topK < size) threshold = [...row].sort((a, b) => b - a)[strategy.topK - 1] ?? -Infinity;
  let max = -Infinity;
  for (const value of row) if (value >= threshold && value > max) max = value;
  const weights = row.map((value) => (value >= threshold ? Math.exp(value - max) : 0));
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  let target = random() * total;
  let last = 0;
  for (let i = 0; i < size; i++) {
    const weight = weights[i] ?? 0;
    if (weight === 0) continue;
    last = i;
    target -= weight;
    if (target < 0) return i;
  }
  return last; // rounding left a sliver of mass: the last candidate takes it
}

/** A picker for one generation run: greedy, or sampled with its own PRNG seeded once. */
export function tokenPicker(
  strategy: CheckedGenerateOptions['strategy'],
  random: () => number,
): (logits: Float32Array, offset: number, size: number) => number {
  if (strategy.kind === 'greedy') return argmax;
  return (logits, offset, size) => sample(logits, offset, size, strategy, random);
}
