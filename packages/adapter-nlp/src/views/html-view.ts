import { textSegments, viewRows, type AttributedText, type ColorScale } from './attributed-text.js';
import { formatScore, hexColor, inkOn, scoreColor } from './score-color.js';

/**
 * Options of {@link attributionHtml}.
 *
 * @example
 * const options: HtmlViewOptions = { title: 'IOI prompt, answer " Mary"', scale: 'row' };
 */
export interface HtmlViewOptions {
  /** A heading (and, standalone, the page title). Default none. */
  readonly title?: string;
  /** How scores map to colour strength. Default `shared`. */
  readonly scale?: ColorScale;
  /**
   * `true` (default): a whole HTML document. `false`: one `<section class="tdhook-text-attribution">` with
   * its own scoped `<style>`, to put into a page of your own.
   */
  readonly standalone?: boolean;
}

/**
 * Escapes text for HTML element content and quoted attribute values (`& < > " '` as character references).
 *
 * @example
 * escapeHtml('<b>"hi"</b>'); // '&#60;b&#62;&#34;hi&#34;&#60;/b&#62;'
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

// Scoped to the section's class so that a fragment can sit in any page. The hover box shows the value from
// `data-score`; `title` gives the same value to screen readers and to browsers without hover.
const style = `
.tdhook-text-attribution { font: 15px/1.9 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; color: #111; }
.tdhook-text-attribution h2 { font: 600 16px system-ui, sans-serif; margin: 0 0 10px; }
.tdhook-text-attribution .row { margin: 0 0 14px; }
.tdhook-text-attribution .label { font: 13px system-ui, sans-serif; color: #444; margin-bottom: 2px; }
.tdhook-text-attribution .text { white-space: pre-wrap; word-break: break-word; }
.tdhook-text-attribution .tok { position: relative; border-radius: 3px; padding: 1px 0; }
.tdhook-text-attribution .tok:hover { outline: 1px solid #333; }
.tdhook-text-attribution .tok:hover::after { content: attr(data-score); position: absolute; left: 0; top: -1.7em;
  background: #222; color: #fff; font-size: 12px; line-height: 1.4; padding: 1px 5px; border-radius: 3px;
  white-space: nowrap; z-index: 1; pointer-events: none; }
.tdhook-text-attribution .scale { display: flex; align-items: center; gap: 6px; font: 12px system-ui, sans-serif; color: #444; }
.tdhook-text-attribution .bar { width: 160px; height: 10px; border: 1px solid #ccc;
  background: linear-gradient(to right, ${hexColor(scoreColor(-1, 1))}, #ffffff, ${hexColor(scoreColor(1, 1))}); }
`;

function rowHtml(row: AttributedText, limit: number): string {
  const spans = textSegments(row)
    .map((segment) => {
      const text = escapeHtml(segment.text);
      if (segment.score === undefined) return text;
      const background = scoreColor(segment.score, limit);
      const value = `${formatScore(segment.score, 4)} (token ${segment.token ?? 0})`;
      return `<span class="tok" style="background:${hexColor(background)};color:${hexColor(inkOn(background))}" title="${value}" data-score="${value}">${text}</span>`;
    })
    .join('');
  const label = row.label === undefined ? '' : `<div class="label">${escapeHtml(row.label)}</div>`;
  const scale = `<div class="scale"><span>${formatScore(-limit)}</span><span class="bar"></span><span>${formatScore(limit)}</span></div>`;
  return `<div class="row">${label}<div class="text">${spans}</div>${scale}</div>`;
}

/**
 * Token attributions as self-contained HTML (inline CSS, no scripts, no external files): one row per
 * {@link AttributedText} (e.g. one per method or per target), each token shaded by its score — red
 * towards the target, blue away, white 0 — with the value and the token's index
 * on hover, and a colour scale per row. All text is escaped, so tokens such as `<script>` show as text.
 *
 * @example
 * const html = attributionHtml(
 *   [
 *     { label: 'saliency', tokens: ['The', ' cat'], scores: [0.2, 0.9] },
 *     { label: 'gradient × input', tokens: ['The', ' cat'], scores: [-0.1, 0.7] },
 *   ],
 *   { title: 'Why " sat"?' },
 * );
 * // await writeFile('attribution.html', html);
 */
export function attributionHtml(
  rows: AttributedText | readonly AttributedText[],
  options: HtmlViewOptions = {},
): string {
  const { list, limits } = viewRows(rows, options.scale ?? 'shared', 'attributionHtml');
  const heading = options.title === undefined ? '' : `<h2>${escapeHtml(options.title)}</h2>`;
  const section = `<section class="tdhook-text-attribution"><style>${style}</style>${heading}${list.map((row, i) => rowHtml(row, limits[i] ?? 0)).join('')}</section>`;
  if (options.standalone === false) return section;
  const title = escapeHtml(options.title ?? 'Token attribution');
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head><body style="margin:24px;background:#fff">${section}</body></html>\n`;
}
