import { modulePathNotAString } from './module-path-errors.js';

/**
 * Turns a module path into a dotted name for keys and logs, as tdhook's `submodule_path_to_name` does: quotes
 * are dropped, `<`, `>`, `[` and `]` become dots, runs of dots collapse and dots at either end are trimmed.
 * Paths whose meaning the dotted form would lose (a negative index `[-`, a slice `:`, parentheses) are
 * returned unchanged. This is a text transformation: the path is not parsed or checked.
 *
 * @example
 * modulePathToName('items[0]');          // 'items.0'
 * modulePathToName('data["second"]');    // 'data.second'
 * modulePathToName('<b2/m>.<s/m>[0]');   // 'b2/m.s/m.0'
 * modulePathToName('layers[-1]');        // 'layers[-1]'
 */
export function modulePathToName(path: string): string {
  const value: unknown = path;
  if (typeof value !== 'string') throw modulePathNotAString(value);
  if (/\[-|[:()]/.test(path)) return path;
  return path
    .replace(/["']/g, '')
    .replace(/[<>[\]]/g, '.')
    .replace(/\.+/g, '.')
    .replace(/^\.|\.$/g, '');
}
