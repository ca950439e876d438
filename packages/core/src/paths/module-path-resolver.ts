import { UnknownPathError } from '../errors.js';
import { modulePathNotAString } from './module-path-errors.js';
import {
  formatModulePath,
  formatModulePathAttribute,
  formatModulePathSegment,
} from './module-path-format.js';
import { quoteModulePathKey } from './module-path-key-literal.js';
import { parseModulePath } from './module-path-parser.js';
import type { ParsedModulePath } from './module-path-types.js';

/**
 * How the resolver sees a tree of modules whose nodes have type `N`. Adapters implement it for TF.js Layers
 * models and for plain TypeScript modules; the resolver calls nothing but these functions, so no getter or
 * user code runs during a lookup.
 *
 * @example
 * const tree: ModuleTreeNode<MyModule> = {
 *   children: (node) => [...node.modules.entries()],
 *   containerKind: (node) => (node.isList ? 'sequence' : 'none'),
 *   describe: (node) => `${node.className} '${node.name}'`,
 * };
 */
export interface ModuleTreeNode<N> {
  /** Named children in order, e.g. `[['fc1', node], ['fc2', node]]`. */
  children(node: N): ReadonlyArray<readonly [string, N]>;
  /**
   * How the node may be indexed: `'sequence'` (integers and slices, over its children in order), `'mapping'`
   * (quoted string keys, matched against child names) or `'none'`.
   */
  containerKind(node: N): 'sequence' | 'mapping' | 'none';
  /** Describes the node in error messages, e.g. `Sequential 'encoder'`. */
  describe(node: N): string;
  /**
   * The single inner module a wrapper delegates to, if any: a name not found on the wrapper is looked up
   * inside it, recursively.
   */
  wrapped?(node: N): N | undefined;
}

const MAX_LISTED = 10;

interface Lookup<N> {
  readonly parsed: ParsedModulePath;
  readonly segment: number;
  readonly tree: ModuleTreeNode<N>;
}

function isParsedModulePath(value: unknown): value is ParsedModulePath {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { source?: unknown }).source === 'string' &&
    Array.isArray((value as { segments?: unknown }).segments)
  );
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

function writeName(name: string): string {
  try {
    return formatModulePathAttribute(name);
  } catch {
    return JSON.stringify(name);
  }
}

function listNames(names: readonly string[], write: (name: string) => string): string {
  const shown = names.slice(0, MAX_LISTED).map(write).join(', ');
  return names.length > MAX_LISTED ? `${shown} and ${names.length - MAX_LISTED} more` : shown;
}

/** Levenshtein distance, to suggest the name the user probably meant. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, column) => column);
  for (let row = 1; row <= a.length; row += 1) {
    const current = [row];
    for (let column = 1; column <= b.length; column += 1) {
      const substitution = (previous[column - 1] ?? 0) + (a[row - 1] === b[column - 1] ? 0 : 1);
      current.push(Math.min((previous[column] ?? 0) + 1, (current[column - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function suggestion(wanted: string, names: readonly string[], write: (name: string) => string): string {
  const lower = wanted.toLowerCase();
  const close =
    names.find((name) => name.toLowerCase() === lower) ??
    names.find((name) => distance(name, wanted) <= Math.min(2, Math.floor(wanted.length / 2)));
  return close === undefined ? '' : `Did you mean ${write(close)}? `;
}

function childrenFix<N>(lookup: Lookup<N>, node: N, names: readonly string[], through = ''): string {
  const description = lookup.tree.describe(node);
  if (names.length === 0) return `${description} has no children; the path may go one level too deep.`;
  return `Children of ${description}${through}: ${listNames(names, writeName)}.`;
}

function failure<N>(lookup: Lookup<N>, problem: string, fix: string): UnknownPathError {
  const { parsed, segment } = lookup;
  const current = parsed.segments[segment];
  const text = current === undefined ? '' : ` '${formatModulePathSegment(current)}'`;
  const position = parsed.positions?.[segment];
  return new UnknownPathError({
    what: `Cannot resolve module path '${parsed.source}': ${problem}`,
    where: `segment ${segment}${text}${position === undefined ? '' : ` at position ${position}`}`,
    fix,
  });
}

function lookupAttribute<N>(lookup: Lookup<N>, node: N, name: string): N {
  const { tree } = lookup;
  const visited = new Set<N>();
  const available: string[] = [];
  // Wrappers are transparent: a name missing on a wrapper is looked up in the module it wraps.
  for (let current: N | undefined = node; current !== undefined && !visited.has(current);) {
    visited.add(current);
    const children = tree.children(current);
    const match = children.find(([childName]) => childName === name);
    if (match !== undefined) return match[1];
    for (const [childName] of children) if (!available.includes(childName)) available.push(childName);
    current = tree.wrapped?.(current);
  }
  const wraps = visited.size > 1;
  throw failure(
    lookup,
    `no submodule ${writeName(name)} in ${tree.describe(node)}${wraps ? ' or the modules it wraps' : ''}`,
    suggestion(name, available, writeName) +
      childrenFix(lookup, node, available, wraps ? ' and the modules it wraps' : ''),
  );
}

function sequenceChildren<N>(
  lookup: Lookup<N>,
  node: N,
  written: string,
): ReadonlyArray<readonly [string, N]> {
  const { tree } = lookup;
  const children = tree.children(node);
  const names = children.map(([name]) => name);
  const kind = tree.containerKind(node);
  if (kind === 'mapping') {
    const example = names[0] === undefined ? "['key']" : `[${quoteModulePathKey(names[0])}]`;
    throw failure(
      lookup,
      `cannot index ${tree.describe(node)} with ${written}: it is a mapping, and mapping keys are strings`,
      `Quote a key, e.g. ${example}. Keys: ${names.length === 0 ? 'none' : listNames(names, quoteModulePathKey)}.`,
    );
  }
  if (kind === 'none') {
    throw failure(
      lookup,
      `${tree.describe(node)} is not a positional module container`,
      `Only sequences take ${written}; name a child after a '.' instead. ${childrenFix(lookup, node, names)}`,
    );
  }
  return children;
}

function lookupIndex<N>(lookup: Lookup<N>, node: N, index: number): N {
  const children = sequenceChildren(lookup, node, `[${index}]`);
  const count = children.length;
  const child = children[index < 0 ? index + count : index];
  if (child === undefined) {
    throw failure(
      lookup,
      `index ${index} out of range for ${lookup.tree.describe(node)} with ${plural(count, 'child', 'children')}`,
      count === 0
        ? `${lookup.tree.describe(node)} has no children.`
        : `Valid indexes are 0 to ${count - 1}, or -${count} to -1 from the end.`,
    );
  }
  return child[1];
}

function lookupKey<N>(lookup: Lookup<N>, node: N, key: string): N {
  const { tree } = lookup;
  const children = tree.children(node);
  const names = children.map(([name]) => name);
  const kind = tree.containerKind(node);
  if (kind !== 'mapping') {
    const why = kind === 'sequence' ? ': its children are indexed by position, as in [0]' : '';
    throw failure(
      lookup,
      `${tree.describe(node)} is not a mapping${why}`,
      `Only mappings take quoted keys; name a child after a '.' instead. ${childrenFix(lookup, node, names)}`,
    );
  }
  const match = children.find(([name]) => name === key);
  if (match === undefined) {
    throw failure(
      lookup,
      `no key ${quoteModulePathKey(key)} in ${tree.describe(node)}`,
      suggestion(key, names, quoteModulePathKey) +
        (names.length === 0
          ? `${tree.describe(node)} has no keys.`
          : `Keys: ${listNames(names, quoteModulePathKey)}.`),
    );
  }
  return match[1];
}

/** The positions Python's `range(*slice(start, stop, step).indices(count))` yields. */
function slicePositions(count: number, start?: number, stop?: number, step = 1): number[] {
  const clamp = (bound: number | undefined, fallback: number): number => {
    if (bound === undefined) return fallback;
    const from = bound < 0 ? bound + count : bound;
    return step > 0 ? Math.min(Math.max(from, 0), count) : Math.min(Math.max(from, -1), count - 1);
  };
  const first = clamp(start, step > 0 ? 0 : count - 1);
  const end = clamp(stop, step > 0 ? count : -1);
  const positions: number[] = [];
  for (let position = first; step > 0 ? position < end : position > end; position += step) {
    positions.push(position);
  }
  return positions;
}

/**
 * Resolves a module path from `root`, calling only the functions of `tree`: names look up children (and
 * continue inside wrapped modules), integers and slices index sequences, quoted keys index mappings. `''`
 * resolves to `root`; a path ending in a slice resolves to an array (Python semantics: `[3:4]` of 3 children
 * is `[]`). The path is parsed completely first, so a malformed path throws `InvalidPathError` before any
 * lookup; a path naming nothing throws `UnknownPathError` (code `E_UNKNOWN_PATH`) that names the path, the
 * failing segment and its position, and lists the children available there.
 *
 * @example
 * resolveModulePath(model, 'encoder.layers[-1]', tree); // the last layer
 * resolveModulePath(model, 'blocks[0:4:2]', tree);      // [blocks[0], blocks[2]]
 * resolveModulePath(model, 'fc4', tree); // throws: Cannot resolve module path 'fc4': no submodule fc4 in … Children of …: fc1, fc2, fc3.
 */
export function resolveModulePath<N>(
  root: N,
  path: string | ParsedModulePath,
  tree: ModuleTreeNode<N>,
): N | N[] {
  const value: unknown = path;
  let parsed: ParsedModulePath;
  if (typeof value === 'string') parsed = parseModulePath(value);
  else if (isParsedModulePath(value)) {
    parsed = value;
    // A hand-built path gets the checks the parser would have made: this throws for what no path can write.
    formatModulePath(parsed.segments);
  } else throw modulePathNotAString(value);

  let current = root;
  for (const [segment, step] of parsed.segments.entries()) {
    const lookup: Lookup<N> = { parsed, segment, tree };
    switch (step.kind) {
      case 'attribute':
        current = lookupAttribute(lookup, current, step.name);
        break;
      case 'index':
        current = lookupIndex(lookup, current, step.index);
        break;
      case 'key':
        current = lookupKey(lookup, current, step.key);
        break;
      case 'slice': {
        // Always the last segment: the parser and formatModulePath reject anything after a slice.
        const children = sequenceChildren(lookup, current, formatModulePathSegment(step));
        return slicePositions(children.length, step.start, step.stop, step.step).flatMap((position) => {
          const child = children[position];
          return child === undefined ? [] : [child[1]];
        });
      }
    }
  }
  return current;
}
