import { InvalidPathError } from '../errors.js';
import { quoteModulePathKey } from './module-path-key-literal.js';
import type { ModulePathSegment } from './module-path-types.js';

const PLAIN_NAME = /^[A-Za-z0-9_]+$/;

function unwritable(problem: string, fix: string): InvalidPathError {
  return new InvalidPathError({ what: `Cannot write a module path: ${problem}`, fix });
}

function checkInteger(value: number, what: string): void {
  if (!Number.isSafeInteger(value)) {
    throw unwritable(
      `${what} ${String(value)} is not an integer`,
      'Indexes and slice bounds are safe integers.',
    );
  }
}

/**
 * Writes a child name as the parser reads it: plain if it is `[A-Za-z0-9_]+` (and was not escaped), escaped as
 * `<name>` otherwise. Throws `InvalidPathError` for a name no path can write: empty, or containing `<` or `>`.
 *
 * @example
 * formatModulePathAttribute('fc2');     // 'fc2'
 * formatModulePathAttribute('block/0'); // '<block/0>'
 */
export function formatModulePathAttribute(name: string, escaped = false): string {
  if (!escaped && PLAIN_NAME.test(name)) return name;
  if (name.length === 0 || name.includes('<') || name.includes('>')) {
    throw unwritable(
      `the child name ${JSON.stringify(name)} is empty or contains '<' or '>'`,
      'Module paths can only name children whose names are non-empty and free of angle brackets.',
    );
  }
  return `<${name}>`;
}

/**
 * Writes one segment on its own, without the `.` that joins an attribute to what precedes it: `fc2`,
 * `<block/0>`, `[-1]`, `['query']`, `[1:3]`, `[::2]`.
 *
 * @example
 * formatModulePathSegment({ kind: 'slice', start: 1, stop: 3 }); // '[1:3]'
 * formatModulePathSegment({ kind: 'key', key: 'q' });            // "['q']"
 */
export function formatModulePathSegment(segment: ModulePathSegment): string {
  switch (segment.kind) {
    case 'attribute':
      return formatModulePathAttribute(segment.name, segment.escaped);
    case 'index':
      checkInteger(segment.index, 'index');
      return `[${segment.index}]`;
    case 'key':
      return `[${quoteModulePathKey(segment.key)}]`;
    case 'slice': {
      const { start, stop, step } = segment;
      if (start !== undefined) checkInteger(start, 'slice start');
      if (stop !== undefined) checkInteger(stop, 'slice stop');
      if (step !== undefined) checkInteger(step, 'slice step');
      if (step === 0) throw unwritable('slice step cannot be zero', 'Use a positive or negative step.');
      const bounds = `${start ?? ''}:${stop ?? ''}`;
      return `[${step === undefined ? bounds : `${bounds}:${step}`}]`;
    }
  }
}

/**
 * Writes segments as a canonical module path that `parseModulePath` reads back to the same segments: names
 * joined by `.`, names that are not `[A-Za-z0-9_]+` escaped as `<name>`, keys in single quotes. Throws
 * `InvalidPathError` for segments no path can express (a name with `<` or `>`, a non-integer index, a zero
 * step, a slice that is not last).
 *
 * @example
 * formatModulePath(parseModulePath('<b2/m><s/m>[0]').segments);  // '<b2/m>.<s/m>[0]'
 * formatModulePath(parseModulePath('heads["query"]').segments); // "heads['query']"
 */
export function formatModulePath(segments: readonly ModulePathSegment[]): string {
  let path = '';
  segments.forEach((segment, position) => {
    if (segment.kind === 'slice' && position < segments.length - 1) {
      throw unwritable(
        `segment ${position} is a slice, and a slice must be the last segment`,
        'Resolve the slice, then look inside each module it returns.',
      );
    }
    const text = formatModulePathSegment(segment);
    path += position > 0 && segment.kind === 'attribute' ? `.${text}` : text;
  });
  return path;
}
