// Reading what the dimension workflow's steps store (shape-neutral values) in its tests.
import type { Key, TensorDict } from '@tdhook/core';
import type {} from '@tdhook/testing/vitest';
import { expect } from 'vitest';

import { ShapeNeutralTensor } from '../src/index.js';

/** The shape-neutral value a step stored at `key` (fails the test if it is anything else). */
export function stored(data: TensorDict, key: Key): ShapeNeutralTensor {
  const value = data.get(key);
  expect(value).toBeInstanceOf(ShapeNeutralTensor);
  return value as ShapeNeutralTensor;
}

/** Its values as plain numbers, row-major (NaN kept). */
export const valuesOf = (value: ShapeNeutralTensor): number[] => Array.from(value.values);

/** Checks its values with the tensor matcher's tolerance rules. */
export function expectClose(
  value: ShapeNeutralTensor,
  expected: number | readonly unknown[],
  tolerance: { rtol: number; atol: number },
): void {
  const tensor = value.toTensor();
  try {
    expect(tensor).toBeCloseToTensor(expected as number[], tolerance);
  } finally {
    tensor.dispose();
  }
}
