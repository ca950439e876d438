import type { KeyPath } from '../keys.js';

/** What to take of an entry: all of it, part of it (a nested dict some of whose keys are wanted), or none. */
export type FilterDecision = 'all' | 'some' | 'none';

/** Decides which entries `select` and `exclude` keep, by key path. */
export interface KeyFilter {
  decide(path: KeyPath): FilterDecision;
  /** Drop nested dicts that end up empty after a partial take. */
  readonly pruneEmpty: boolean;
}

const isPrefix = (prefix: readonly string[], path: readonly string[]): boolean =>
  prefix.length <= path.length && prefix.every((segment, index) => segment === path[index]);

/**
 * Keeps the given keys with their whole subtrees, and the nested dicts on the way to them.
 *
 * @example
 * selectFilter([['attr', 'input']]).decide(['attr']); // 'some'
 */
export function selectFilter(keys: readonly KeyPath[]): KeyFilter {
  return {
    pruneEmpty: true,
    decide: (path) => {
      if (keys.some((key) => isPrefix(key, path))) return 'all';
      return keys.some((key) => isPrefix(path, key)) ? 'some' : 'none';
    },
  };
}

/**
 * Drops the given keys with their whole subtrees and keeps everything else.
 *
 * @example
 * excludeFilter([['attr']]).decide(['attr', 'input']); // 'none'
 */
export function excludeFilter(keys: readonly KeyPath[]): KeyFilter {
  return {
    pruneEmpty: false,
    decide: (path) => {
      if (keys.some((key) => isPrefix(key, path))) return 'none';
      return keys.some((key) => isPrefix(path, key)) ? 'some' : 'all';
    },
  };
}
