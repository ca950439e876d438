import { InvalidValueError, toKeyPath, type KeyPath } from '@tdhook/core';

import { ActivationCache } from './activation-cache.js';
import type {
  ActivationCachingOptions,
  CacheCallback,
  CacheDirection,
  CacheObjective,
} from './cache-options.js';
import { hasTarget, normalizeSelection, type NormalizedSelection } from './cache-selection.js';

/**
 * The options of {@link activationCaching} once checked, every default filled in (here, once).
 *
 * @example
 * activationCaching({ select: 'fc1' }).options; // { select: [{ path: 'fc1' }], directions: ['forward'], cacheKey: ['cache'], nestedKeys: false, clearCache: true }
 */
export interface ConfiguredActivationCaching {
  readonly select: NormalizedSelection;
  readonly directions: readonly CacheDirection[];
  /** `null`: nothing is published. */
  readonly cacheKey: KeyPath | null;
  /** True when keys are `[direction, path]`: asked for, or more than one direction. */
  readonly nestedKeys: boolean;
  readonly callback?: CacheCallback;
  readonly objective?: CacheObjective;
  readonly cache?: ActivationCache;
  readonly clearCache: boolean;
}

const where = 'activationCaching';
const cacheDirections: readonly CacheDirection[] = ['forward', 'forward-pre', 'backward', 'backward-pre'];
const known = new Set([
  'select',
  'directions',
  'cacheKey',
  'nestedKeys',
  'callback',
  'objective',
  'cache',
  'clearCache',
]);

/** What the original's keyword arguments became here, for the ones that have no counterpart. */
const renamed: Readonly<Record<string, string>> = {
  relative:
    'Module paths are always relative to the model you prepare (a KeyedModel adds no wrapper path): remove it.',
  key_pattern: 'Use select: a RegExp, a path, a Target or a list of them.',
  keyPattern: 'Use select: a RegExp, a path, a Target or a list of them.',
  use_nested_keys: 'Use nestedKeys.',
  cache_key: 'Use cacheKey.',
  clear_cache: 'Use clearCache.',
};

/** True if the directions include a gradient one, which needs a differentiated pass. */
export function hasGradientDirection(directions: readonly CacheDirection[]): boolean {
  return directions.some((direction) => direction === 'backward' || direction === 'backward-pre');
}

function checkDirections(value: unknown): readonly CacheDirection[] {
  if (value === undefined) return Object.freeze(['forward'] as const);
  if (!Array.isArray(value) || value.length === 0) {
    throw new InvalidValueError({
      what: `directions must be a non-empty list, got ${Array.isArray(value) ? 'an empty list' : JSON.stringify(value)}`,
      where: `${where} directions`,
      fix: `Pick from ${cacheDirections.join(', ')}; leave it out for ['forward'].`,
    });
  }
  for (const direction of value as unknown[]) {
    if (!cacheDirections.includes(direction as CacheDirection)) {
      throw new InvalidValueError({
        what: `Unknown direction ${JSON.stringify(direction)}`,
        where: `${where} directions`,
        fix: `Use ${cacheDirections.join(', ')} (the original's fwd, fwd_pre, bwd, bwd_pre).`,
      });
    }
  }
  if (new Set(value).size !== value.length) {
    throw new InvalidValueError({
      what: `directions lists a direction twice: ${JSON.stringify(value)}`,
      where: `${where} directions`,
      fix: 'List each direction once.',
    });
  }
  return Object.freeze([...(value as CacheDirection[])]);
}

function checkFunction(value: unknown, name: string): void {
  if (value !== undefined && typeof value !== 'function') {
    throw new InvalidValueError({ what: `${name} must be a function`, where: `${where} ${name}` });
  }
}

function checkBoolean(value: unknown, name: string): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') {
    throw new InvalidValueError({
      what: `${name} must be a boolean, got ${JSON.stringify(value)}`,
      where: `${where} ${name}`,
    });
  }
  return value;
}

/** Checks the options of {@link activationCaching} and fills every default. */
export function configureActivationCaching(options: ActivationCachingOptions): ConfiguredActivationCaching {
  if (typeof options !== 'object' || (options as unknown) === null) {
    throw new InvalidValueError({
      what: 'activationCaching takes an options object',
      where,
      fix: "E.g. activationCaching({ select: 'fc1' }).",
    });
  }
  for (const name of Object.keys(options)) {
    if (!known.has(name)) {
      throw new InvalidValueError({
        what: `activationCaching has no option ${JSON.stringify(name)}`,
        where,
        fix: renamed[name] ?? `Options: ${[...known].join(', ')}.`,
      });
    }
  }
  const select = normalizeSelection(options.select);
  const directions = checkDirections(options.directions);
  if (hasTarget(select) && (directions.length !== 1 || directions[0] !== 'forward')) {
    throw new InvalidValueError({
      what: `A Target gives exactly one forward capture of its units, but directions are ${JSON.stringify(directions)}`,
      where: `${where} directions`,
      fix: "Use directions: ['forward'] with Targets, or cache the gradient of a module path instead.",
    });
  }
  const cacheKey =
    options.cacheKey === null ? null : toKeyPath(options.cacheKey ?? 'cache', `${where} cacheKey`);
  const nestedKeys = checkBoolean(options.nestedKeys, 'nestedKeys') ?? false;
  const clearCache = checkBoolean(options.clearCache, 'clearCache') ?? true;
  checkFunction(options.callback, 'callback');
  checkFunction(options.objective, 'objective');
  if (options.objective !== undefined && !hasGradientDirection(directions)) {
    throw new InvalidValueError({
      what: 'objective is set, but no gradient direction is cached',
      where: `${where} objective`,
      fix: "Add 'backward' or 'backward-pre' to directions, or remove objective.",
    });
  }
  if (options.cache !== undefined && !(options.cache instanceof ActivationCache)) {
    throw new InvalidValueError({
      what: 'cache must be an ActivationCache',
      where: `${where} cache`,
      fix: 'Pass new ActivationCache() (from @tdhook/probing), which you own and dispose.',
    });
  }
  if (cacheKey === null && options.cache === undefined) {
    throw new InvalidValueError({
      what: 'cacheKey is null (nothing published) and no cache is given: the values would be unreachable',
      where: `${where} cacheKey`,
      fix: 'Pass cache: new ActivationCache() to read them there, or publish them under a cacheKey.',
    });
  }
  return {
    select,
    directions,
    cacheKey,
    nestedKeys: nestedKeys || directions.length > 1,
    ...(options.callback === undefined ? {} : { callback: options.callback }),
    ...(options.objective === undefined ? {} : { objective: options.objective }),
    ...(options.cache === undefined ? {} : { cache: options.cache }),
    clearCache,
  };
}
