import {
  MODULE_PATH_GRAMMAR_HINT,
  characterAt,
  describeCharacter,
  invalidModulePath,
  modulePathNotAString,
} from './module-path-errors.js';
import { quoteModulePathKey, readQuotedKey } from './module-path-key-literal.js';
import type { ModulePathSegment, ParsedModulePath } from './module-path-types.js';

const INTEGER = /^-?[0-9]+$/;

function isAttributeCharacter(character: string): boolean {
  return /^[A-Za-z0-9_]$/.test(character);
}

/**
 * Parses a module path into segments without looking anything up and without evaluating anything. Throws
 * `InvalidPathError` (code `E_INVALID_PATH`) naming the path, the 0-based position and what was expected
 * there.
 *
 * Grammar: `""`, or a first segment (a name, an escaped name or an index) followed by any number of
 * `.name`, `.<escaped name>`, `<escaped name>` and indexes. Names are `[A-Za-z0-9_]+`; escaped names are any
 * non-empty text without `<` or `>`. Indexes are integers (`[-1]`), quoted keys (`['a]b']`, `["k"]`) or
 * integer slices (`[1:3]`, `[::2]`); a slice must be the last segment.
 *
 * @example
 * parseModulePath("encoder.layers[-1]<attn/0>['q']").segments;
 * // [{ kind: 'attribute', name: 'encoder', escaped: false }, { kind: 'attribute', name: 'layers', escaped: false },
 * //  { kind: 'index', index: -1 }, { kind: 'attribute', name: 'attn/0', escaped: true }, { kind: 'key', key: 'q' }]
 * parseModulePath('fn()'); // throws: Invalid module path 'fn()': unexpected character '(' (at position 2). …
 */
export function parseModulePath(path: string): ParsedModulePath {
  const value: unknown = path;
  if (typeof value !== 'string') {
    throw modulePathNotAString(value);
  }
  const segments: ModulePathSegment[] = [];
  const positions: number[] = [];
  const push = (segment: ModulePathSegment, position: number): void => {
    segments.push(Object.freeze(segment));
    positions.push(position);
  };
  // 'start': nothing read yet; 'afterDot': a name must follow; 'afterSegment': '.', '[', '<' or the end.
  let state: 'start' | 'afterDot' | 'afterSegment' = 'start';
  let position = 0;
  while (position < path.length) {
    const character = path.charAt(position);
    if (state === 'afterSegment' && segments.at(-1)?.kind === 'slice') {
      // A slice selects several modules; there is no single module to continue from.
      throw invalidModulePath(
        path,
        `a slice must be the last segment, got ${describeCharacter(characterAt(path, position))} after it`,
        position,
        'Resolve the slice, then look inside each module it returns.',
      );
    }
    if (state === 'afterSegment') {
      if (character === '[') {
        position = parseIndex(path, position, push);
      } else if (character === '<') {
        // An escaped name may follow a segment without a dot, as in `<b2/m><s/m>`.
        position = parseEscapedAttribute(path, position, push);
      } else if (character === '.') {
        if (position === path.length - 1) {
          throw invalidModulePath(
            path,
            "a path cannot end with '.'",
            position,
            `Remove the trailing '.': '${path.slice(0, -1)}'.`,
          );
        }
        state = 'afterDot';
        position += 1;
      } else {
        throw invalidModulePath(
          path,
          `unexpected character ${describeCharacter(characterAt(path, position))}`,
          position,
        );
      }
      continue;
    }
    if (character === '[' && state === 'start') {
      position = parseIndex(path, position, push);
    } else if (character === '<') {
      position = parseEscapedAttribute(path, position, push);
    } else {
      position = parseAttribute(path, position, state === 'afterDot', push);
    }
    state = 'afterSegment';
  }
  return Object.freeze({
    source: path,
    segments: Object.freeze(segments),
    positions: Object.freeze(positions),
  });
}

type Push = (segment: ModulePathSegment, position: number) => void;

function parseAttribute(path: string, start: number, afterDot: boolean, push: Push): number {
  let end = start;
  while (end < path.length && isAttributeCharacter(path.charAt(end))) end += 1;
  if (end === start) {
    const found = describeCharacter(characterAt(path, start));
    if (afterDot && path.charAt(start) === '[') {
      const fixed = `${path.slice(0, start - 1)}${path.slice(start)}`;
      throw invalidModulePath(
        path,
        `expected an attribute after '.', got ${found}`,
        start,
        `An index follows the module it indexes without a dot: '${fixed}'.`,
      );
    }
    const expected = afterDot ? "an attribute after '.'" : 'an attribute or index';
    throw invalidModulePath(path, `expected ${expected}, got ${found}`, start);
  }
  push({ kind: 'attribute', name: path.slice(start, end), escaped: false }, start);
  return end;
}

function parseEscapedAttribute(path: string, start: number, push: Push): number {
  const end = path.indexOf('>', start + 1);
  if (end < 0) {
    throw invalidModulePath(
      path,
      `missing closing '>' for the escaped attribute opened at position ${start}`,
      path.length,
      "Close the escaped name with '>': <block/0>.",
    );
  }
  const name = path.slice(start + 1, end);
  const nested = name.indexOf('<');
  if (name.length === 0 || nested >= 0) {
    const why = nested >= 0 ? "it contains '<'" : 'it is empty';
    throw invalidModulePath(
      path,
      `invalid escaped attribute '${path.slice(start, end + 1)}': ${why}`,
      nested >= 0 ? start + 1 + nested : start,
      "An escaped name is any non-empty text without '<' or '>', between them: <block/0>.",
    );
  }
  push({ kind: 'attribute', name, escaped: true }, start);
  return end + 1;
}

/** Finds the `]` that closes the index opened at `open`, skipping over quoted keys. */
function findIndexEnd(path: string, open: number): number {
  let quote: string | undefined;
  let quoteAt = open;
  for (let position = open + 1; position < path.length; position += 1) {
    const character = path.charAt(position);
    if (quote === undefined) {
      if (character === ']') return position;
      if (character === "'" || character === '"') {
        quote = character;
        quoteAt = position;
      }
    } else if (character === '\\') {
      position += 1;
    } else if (character === quote) {
      quote = undefined;
    }
  }
  if (quote !== undefined) {
    const quoted = quote === "'" ? `"'"` : `'"'`;
    throw invalidModulePath(
      path,
      `missing closing ${quoted} for the string opened at position ${quoteAt}`,
      path.length,
      `Close the key with ${quoted} and the index with ']': [${quote}key${quote}].`,
    );
  }
  throw invalidModulePath(
    path,
    `missing closing ']' for the index opened at position ${open}`,
    path.length,
    "Close the index with ']': [0], ['key'] or [1:3].",
  );
}

function parseInteger(path: string, text: string, position: number): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    throw invalidModulePath(path, `index ${text} is too large`, position, 'Indexes are safe integers.');
  }
  // '-0' reads as -0, which compares unequal to 0 in Object.is and deep equality.
  return value === 0 ? 0 : value;
}

function parseIndex(path: string, open: number, push: Push): number {
  const close = findIndexEnd(path, open);
  const text = path.slice(open + 1, close);
  if (INTEGER.test(text)) {
    push({ kind: 'index', index: parseInteger(path, text, open + 1) }, open);
  } else if (text.startsWith("'") || text.startsWith('"')) {
    push({ kind: 'key', key: readQuotedKey(path, open, close) }, open);
  } else if (text.includes(':')) {
    push(parseSlice(path, text, open), open);
  } else {
    const shown = text.length === 0 ? 'an empty index' : `'${text}'`;
    throw invalidModulePath(
      path,
      `indexes must be integers, slices, or quoted strings, got ${shown}`,
      open + 1,
      text.length === 0
        ? "Write an index between the brackets: [0], [-1], [1:3] or ['key']."
        : /^[A-Za-z0-9_]+$/.test(text)
          ? `Quote a mapping key: [${quoteModulePathKey(text)}]; name a child after a dot: .${text}.`
          : MODULE_PATH_GRAMMAR_HINT,
    );
  }
  return close + 1;
}

function parseSlice(path: string, text: string, open: number): ModulePathSegment {
  const parts = text.split(':');
  if (parts.length > 3) {
    throw invalidModulePath(
      path,
      "slices contain at most two ':' (start:stop:step)",
      open + 1 + parts.slice(0, 3).join(':').length,
      'Write a slice as [start:stop] or [start:stop:step].',
    );
  }
  const bounds: (number | undefined)[] = [];
  let offset = open + 1;
  let stepAt = offset;
  for (const part of parts) {
    stepAt = offset;
    if (part.length > 0 && !INTEGER.test(part)) {
      throw invalidModulePath(
        path,
        `slices contain integers only, got '${part}'`,
        offset,
        'Write each bound as an integer or leave it out: [1:3], [-2:], [::2].',
      );
    }
    bounds.push(part.length === 0 ? undefined : parseInteger(path, part, offset));
    offset += part.length + 1;
  }
  const [start, stop, step] = bounds;
  if (step === 0) {
    throw invalidModulePath(path, 'slice step cannot be zero', stepAt, 'Use a positive or negative step.');
  }
  return {
    kind: 'slice',
    ...(start === undefined ? {} : { start }),
    ...(stop === undefined ? {} : { stop }),
    ...(step === undefined ? {} : { step }),
  };
}
