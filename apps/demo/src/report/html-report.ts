import type { Figure, ReportSection, Table } from './report-model.js';

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function figureHtml(figure: Figure): string {
  const body =
    figure.kind === 'png'
      ? `<img src="data:image/png;base64,${Buffer.from(figure.png).toString('base64')}" alt="${escape(figure.caption)}" data-file="${escape(figure.file)}">`
      : figure.kind === 'svg'
        ? figure.svg
        : `<div class="view">${figure.html}</div>`;
  const note = figure.note === undefined ? '' : `<p class="note">${escape(figure.note)}</p>`;
  return `<figure>${body}<figcaption>${escape(figure.caption)}</figcaption>${note}</figure>`;
}

function tableHtml(table: Table): string {
  const head = table.header.map((cell) => `<th>${escape(cell)}</th>`).join('');
  const rows = table.rows
    .map((row) => `<tr>${row.map((cell) => `<td>${escape(cell)}</td>`).join('')}</tr>`)
    .join('\n');
  // A figure around the table, so that its caption may be wider than the table.
  return `<figure class="table"><figcaption>${escape(table.caption)}</figcaption><table><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table></figure>`;
}

const style = `
body { font: 15px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 1180px; padding: 0 1rem; color: #1b1b1b; }
h1 { font-size: 1.7rem; margin-bottom: 0.6rem; } h2 { margin-top: 2.5rem; border-bottom: 1px solid #ddd; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; margin: 0 0 1rem; color: #333; }
dl.meta dt { font-weight: 600; } dl.meta dd { margin: 0; }
nav { margin: 0.5rem 0 1rem; } nav a { margin-right: 1rem; }
figure { display: block; margin: 1rem 0 1.4rem; max-width: 100%; }
figure img, figure svg { display: block; max-width: 100%; height: auto; border: 1px solid #e3e3e3; }
figure svg { width: 820px; }
figure .view { border: 1px solid #e3e3e3; padding: 0.4rem 0.8rem; max-width: 900px; } /* the charts' 10-pixel text, enlarged to read at a normal distance */
figure.table figcaption { font-weight: 600; color: #1b1b1b; font-size: 0.95rem; margin: 0 0 0.3rem; }
figcaption { color: #444; font-size: 0.9rem; max-width: 900px; margin-top: 0.4rem; }
.note { max-width: 900px; margin: 0.5rem 0 0; padding: 0.5rem 0.8rem; background: #fff8e1; border-left: 4px solid #f0b400; font-size: 0.9rem; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.6rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
`;

/**
 * One self-contained HTML page: every PNG embedded as a data URI, charts as inline SVG, no script and no
 * external resource, so the file can be mailed or opened offline.
 */
export function htmlReport(
  title: string,
  meta: readonly (readonly [term: string, text: string])[],
  sections: readonly ReportSection[],
): string {
  const nav = sections.map((section) => `<a href="#${section.id}">${escape(section.title)}</a>`).join('');
  const body = sections
    .map((section) =>
      [
        `<section id="${section.id}"><h2>${escape(section.title)}</h2>`,
        ...section.paragraphs.map((text) => `<p>${escape(text)}</p>`),
        ...section.figures.map(figureHtml),
        ...section.tables.map(tableHtml),
        '</section>',
      ].join('\n'),
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title><style>${style}</style></head>
<body><h1>${escape(title)}</h1>
<dl class="meta">
${meta.map(([term, text]) => `<dt>${escape(term)}</dt><dd>${escape(text)}</dd>`).join('\n')}
</dl>
<nav>${nav}</nav>
${body}
</body></html>
`;
}
