import type { Figure, ReportSection, Table } from './report-model.js';

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function figureHtml(figure: Figure): string {
  const body =
    figure.kind === 'png'
      ? `<img src="data:image/png;base64,${Buffer.from(figure.png).toString('base64')}" alt="${escape(figure.caption)}" data-file="${escape(figure.file)}">`
      : figure.svg;
  return `<figure>${body}<figcaption>${escape(figure.caption)}</figcaption></figure>`;
}

function tableHtml(table: Table): string {
  const head = table.header.map((cell) => `<th>${escape(cell)}</th>`).join('');
  const rows = table.rows
    .map((row) => `<tr>${row.map((cell) => `<td>${escape(cell)}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table><caption>${escape(table.caption)}</caption><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>`;
}

const style = `
body { font: 15px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 1180px; padding: 0 1rem; color: #1b1b1b; }
h1 { font-size: 1.7rem; margin-bottom: 0.2rem; } h2 { margin-top: 2.5rem; border-bottom: 1px solid #ddd; }
.meta { color: #555; } nav a { margin-right: 1rem; }
figure { display: inline-block; margin: 0.8rem 1rem 0.8rem 0; vertical-align: top; max-width: 100%; }
figure img, figure svg { max-width: 100%; height: auto; border: 1px solid #e3e3e3; image-rendering: auto; }
figcaption { color: #444; font-size: 0.9rem; max-width: 720px; }
table { border-collapse: collapse; margin: 1rem 0; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding-bottom: 0.3rem; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.6rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
`;

/**
 * One self-contained HTML page: every PNG embedded as a data URI, charts as inline SVG, no script and no
 * external resource, so the file can be mailed or opened offline.
 */
export function htmlReport(
  title: string,
  meta: readonly string[],
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
${meta.map((line) => `<p class="meta">${escape(line)}</p>`).join('\n')}
<nav>${nav}</nav>
${body}
</body></html>
`;
}
