import { textSegments, viewRows, type AttributedText, type ColorScale } from './attributed-text.js';
import { formatScore, inkOn, scoreColor, type Rgb } from './score-color.js';
import { visibleText } from './visible-text.js';

/**
 * How {@link attributionAnsi} colours: `truecolor` (24-bit escapes, most terminals), `256` (the xterm
 * palette, for older terminals), or `none` (plain text: a table with one sign-aware bar per token, for pipes,
 * logs and `NO_COLOR`). {@link ansiColorSupport} picks one from a stream and the environment.
 *
 * @example
 * const mode: AnsiColorMode = process.stdout.isTTY ? 'truecolor' : 'none';
 */
export type AnsiColorMode = 'truecolor' | '256' | 'none';

/**
 * Options of {@link attributionAnsi}.
 *
 * @example
 * const options: AnsiViewOptions = { color: 'none', scale: 'row' };
 */
export interface AnsiViewOptions {
  /** Default `truecolor`. */
  readonly color?: AnsiColorMode;
  /** How scores map to colour strength (and bar length). Default `shared`. */
  readonly scale?: ColorScale;
  /** Width of the longest bar in the plain (`none`) table, in characters. Default 20. */
  readonly barWidth?: number;
}

const reset = '\u001b[0m';
const bold = (text: string): string => `\u001b[1m${text}${reset}`;

/** The xterm-256 palette index nearest an RGB colour in the 6×6×6 cube. */
function xterm256(rgb: Rgb): number {
  const [r, g, b] = rgb.map((c) => Math.round((c / 255) * 5)) as unknown as Rgb;
  return 16 + 36 * r + 6 * g + b;
}

function paint(text: string, background: Rgb, mode: 'truecolor' | '256'): string {
  const ink = inkOn(background);
  const codes =
    mode === 'truecolor'
      ? `48;2;${background.join(';')};38;2;${ink.join(';')}`
      : `48;5;${xterm256(background)};38;5;${xterm256(ink)}`;
  // Colour each line on its own, so that a background never runs on past a line break.
  return text
    .split('\n')
    .map((line) => (line === '' ? '' : `\u001b[${codes}m${line}${reset}`))
    .join('\n');
}

function colouredRow(row: AttributedText, limit: number, mode: 'truecolor' | '256'): string {
  return textSegments(row)
    .map((segment) =>
      segment.score === undefined
        ? visibleText(segment.text)
        : paint(visibleText(segment.text), scoreColor(segment.score, limit), mode),
    )
    .join('');
}

function legend(limit: number, mode: 'truecolor' | '256'): string {
  const steps = [-1, -0.75, -0.5, -0.25, 0, 0.25, 0.5, 0.75, 1];
  const bar = steps.map((t) => paint('  ', scoreColor(t * limit, limit), mode)).join('');
  return `${formatScore(-limit)} ${bar} ${formatScore(limit)}`;
}

/** A plain table: index, token (quoted, escaped), score, and a bar of '-' left or '+' right of the axis. */
function plainRow(row: AttributedText, limit: number, barWidth: number): string {
  const tokens = row.tokens.map((token, i) => {
    const [start, end] = row.offsets?.[i] ?? [0, 0];
    return JSON.stringify(row.text === undefined ? token : row.text.slice(start, end));
  });
  const tokenWidth = Math.max(5, ...tokens.map((t) => t.length));
  const indexWidth = String(row.tokens.length - 1).length;
  return row.scores
    .map((score, i) => {
      const length = limit > 0 ? Math.round(Math.min(1, Math.abs(score) / limit) * barWidth) : 0;
      const left = score < 0 ? '-'.repeat(length).padStart(barWidth) : ' '.repeat(barWidth);
      const right = score > 0 ? '+'.repeat(length) : '';
      const label = formatScore(score).padStart(10);
      return `${String(i).padStart(indexWidth)}  ${(tokens[i] ?? '').padEnd(tokenWidth)} ${label}  ${left}|${right}`.trimEnd();
    })
    .join('\n');
}

/**
 * Token attributions as terminal text: each row (a label line, then the text) with every token's
 * background shaded by its score — red pushes towards the target, blue away, white 0 — and a colour scale
 * line. With `color: 'none'` the same information without escapes: one line per token with its score and a
 * bar ('-' left of the axis for negative, '+' right for positive). Control characters in tokens are shown
 * as symbols, never sent to the terminal.
 *
 * @example
 * const rows = [
 *   { label: 'ig → " Mary"', tokens: ['When', ' Mary', ' and', ' John'], scores: [0.01, 0.62, -0.05, -0.31] },
 * ];
 * process.stdout.write(attributionAnsi(rows, { color: ansiColorSupport(process.stdout) }) + '\n');
 */
export function attributionAnsi(
  rows: AttributedText | readonly AttributedText[],
  options: AnsiViewOptions = {},
): string {
  const mode = options.color ?? 'truecolor';
  const { list, limits } = viewRows(rows, options.scale ?? 'shared', 'attributionAnsi');
  const barWidth = Math.max(1, Math.round(options.barWidth ?? 20));
  const blocks = list.map((row, i) => {
    const limit = limits[i] ?? 0;
    const label =
      row.label === undefined
        ? []
        : [mode === 'none' ? visibleText(row.label) : bold(visibleText(row.label))];
    const body = mode === 'none' ? plainRow(row, limit, barWidth) : colouredRow(row, limit, mode);
    const scale =
      mode === 'none'
        ? `scale: |score| ${formatScore(limit).replace('+', '')} = full bar`
        : legend(limit, mode);
    return [...label, body, scale].join('\n');
  });
  return blocks.join('\n\n');
}

/** The environment variables of Node (none in a browser). */
function processEnv(): Readonly<Record<string, string | undefined>> {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
}

/**
 * The colour mode a stream supports, following the common conventions: `NO_COLOR` (any value) → `none`;
 * `FORCE_COLOR` (1–3) forces colour; otherwise a TTY gets `truecolor` when `COLORTERM` is `truecolor`/`24bit`,
 * else `256`; a pipe or file gets `none`.
 *
 * @example
 * const mode = ansiColorSupport(process.stdout); // 'none' when piped to a file
 */
export function ansiColorSupport(
  stream: { readonly isTTY?: boolean },
  env: Readonly<Record<string, string | undefined>> = processEnv(),
): AnsiColorMode {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return 'none';
  const forced = env['FORCE_COLOR'];
  if (forced === '0' || forced === 'false') return 'none';
  const tty = stream.isTTY === true || (forced !== undefined && forced !== '');
  if (!tty) return 'none';
  const colorterm = (env['COLORTERM'] ?? '').toLowerCase();
  return colorterm === 'truecolor' || colorterm === '24bit' || forced === '3' ? 'truecolor' : '256';
}
