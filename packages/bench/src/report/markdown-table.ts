// A markdown table with escaped cells.

const cell = (value: string): string => value.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** `| a | b |` rows under a header; `align` is `l` or `r` per column. */
export function markdownTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  align: string,
): string {
  const rule = header.map((_, index) => (align[index] === 'r' ? '---:' : '---'));
  return [header, rule, ...rows]
    .map((row, index) => `| ${(index === 1 ? row : row.map(cell)).join(' | ')} |`)
    .join('\n');
}
