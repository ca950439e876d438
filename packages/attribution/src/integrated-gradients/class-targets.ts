import { InvalidValueError, type Key } from '@tdhook/core';

import type { AttributionTarget } from '../targets.js';

/**
 * Options of {@link classTargets}.
 *
 * @example
 * const options: ClassTargetsOptions = { output: 'logits', name: (k) => `digit${k}` };
 */
export interface ClassTargetsOptions {
  /** The output explained (required when the model has several). Default: the model's only output. */
  readonly output?: Key;
  /** Explain this module's units instead of an output (a latent target). Default: none. */
  readonly module?: string;
  /** The name of the target of class `k`. Default `` (k) => `class${k}` ``. */
  readonly name?: (unit: number) => string;
}

/**
 * Named targets, one per class (unit of the last axis), for attributing many classes in one call: the
 * results go to `['attr', name, inputKey]`, and gradient methods share one forward pass between them.
 *
 * @example
 * using prepared = integratedGradients({ targets: classTargets([0, 1, 2]), baselines: 0 }).prepare(model);
 * using result = prepared.run(data);
 * result.getTensor(['attr', 'class2', 'input']);
 */
export function classTargets(
  classes: readonly number[],
  options: ClassTargetsOptions = {},
): Record<string, AttributionTarget> {
  const where = 'classTargets';
  const units = classes; // isArray would narrow classes to any[]
  if (!Array.isArray(classes) || classes.length === 0) {
    throw new InvalidValueError({
      what: 'classTargets needs a non-empty array of class indices',
      where,
      fix: 'E.g. classTargets([0, 1, 2]).',
    });
  }
  const { name = (unit: number): string => `class${unit}`, ...target } = options;
  const targets: Record<string, AttributionTarget> = {};
  const names = new Set<string>();
  for (const unit of units) {
    if (!Number.isSafeInteger(unit) || unit < 0) {
      throw new InvalidValueError({
        what: `A class index must be a whole number ≥ 0, got ${String(unit)}`,
        where,
      });
    }
    const label = name(unit);
    if (typeof label !== 'string' || label === '' || names.has(label)) {
      throw new InvalidValueError({
        what: `The target name ${JSON.stringify(label)} of class ${unit} is empty or repeated`,
        where,
        fix: 'Give each class its own name (and each class once).',
      });
    }
    names.add(label);
    targets[label] = { ...target, select: unit };
  }
  return targets;
}
