/**
 * One step of a module path: a named child (`fc2`, `<block/0>`), a position (`[0]`, `[-1]`), a quoted mapping
 * key (`['query']`) or a slice of positions (`[1:3]`, `[::2]`). Slice bounds follow Python: each is optional
 * and may be negative.
 *
 * @example
 * const segments: ModulePathSegment[] = [
 *   { kind: 'attribute', name: 'encoder', escaped: false },
 *   { kind: 'index', index: -1 },
 *   { kind: 'key', key: 'query' },
 * ]; // encoder[-1]['query']
 */
export type ModulePathSegment =
  | {
      readonly kind: 'attribute';
      readonly name: string;
      /** True if the path wrote the name between `<` and `>`; formatting keeps the escape. */
      readonly escaped: boolean;
    }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'key'; readonly key: string }
  | {
      readonly kind: 'slice';
      readonly start?: number;
      readonly stop?: number;
      readonly step?: number;
    };

/**
 * A module path split into segments, before any lookup. Obtained from `parseModulePath`; can be resolved
 * many times against different models.
 *
 * @example
 * const parsed: ParsedModulePath = parseModulePath('blocks[0].mlp');
 * parsed.segments.length; // 3
 * parsed.positions;       // [0, 6, 10]: where each segment starts in `source`
 */
export interface ParsedModulePath {
  /** The path as written. */
  readonly source: string;
  readonly segments: readonly ModulePathSegment[];
  /**
   * The 0-based character position in `source` where each segment starts (its first letter, `<` or `[`), for
   * error messages. Absent from hand-built paths.
   */
  readonly positions?: readonly number[];
}
