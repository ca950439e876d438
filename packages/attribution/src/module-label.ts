import type { AnyModule } from '@tdhook/core';

/**
 * A tdhook Module's own name for what it does, normalised for matching: a `Lambda`'s label, else its type
 * name, lower-case letters and digits only (`Lambda('ReLU')` and a class `Relu` both give `'relu'`).
 */
export function moduleLabel(module: AnyModule): string {
  const typeName = module.typeName;
  const label = /^Lambda\((.*)\)$/.exec(typeName)?.[1];
  return (label ?? typeName).toLowerCase().replace(/[^a-z0-9]/g, '');
}
