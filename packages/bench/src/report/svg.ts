// Tiny SVG writing helpers: elements as strings, escaped text, and a text-width estimate (no font metrics
// here, so layouts leave room by this estimate; it errs wide for the usual sans-serif fonts).

/** The fonts charts ask for; DejaVu Sans (the widest usual fallback) is what the estimate is made for. */
export const fontFamily = "system-ui, -apple-system, 'Segoe UI', 'DejaVu Sans', Helvetica, Arial, sans-serif";

export const escapeXml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Estimated width in px of `text` at `size` px (bold runs about 13% wider in DejaVu Sans). */
export function textWidth(text: string, size: number, bold = false): number {
  let units = 0;
  for (const char of text) {
    if ("il.,:;|!'’ ".includes(char)) units += 0.32;
    else if (/[A-Z%]/.test(char) || 'mw—–×'.includes(char)) units += 0.8;
    else units += 0.62;
  }
  return units * size * (bold ? 1.15 : 1);
}

type Attributes = Readonly<Record<string, string | number | undefined>>;

/** A coordinate as text, to a tenth of a pixel. */
export const num = (value: number): string => String(Math.round(value * 10) / 10);

function attributes(attrs: Attributes): string {
  return Object.entries(attrs)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([name, value]) => ` ${name}="${typeof value === 'number' ? num(value) : escapeXml(value)}"`)
    .join('');
}

/** `<name attrs>children</name>`, or `<name attrs/>` without children; children are SVG already. */
export function element(name: string, attrs: Attributes, ...children: readonly string[]): string {
  return children.length === 0
    ? `<${name}${attributes(attrs)}/>`
    : `<${name}${attributes(attrs)}>${children.join('')}</${name}>`;
}

/** A text element (its content escaped). */
export function text(x: number, y: number, content: string, attrs: Attributes = {}): string {
  return element('text', { x, y, ...attrs }, escapeXml(content));
}

/** The whole document: a white background (readable in dark mode too) and the default font. */
export function svgDocument(
  width: number,
  height: number,
  title: string,
  ...body: readonly string[]
): string {
  return (
    element(
      'svg',
      {
        xmlns: 'http://www.w3.org/2000/svg',
        width: Math.ceil(width),
        height: Math.ceil(height),
        viewBox: `0 0 ${String(Math.ceil(width))} ${String(Math.ceil(height))}`,
        'font-family': fontFamily,
        role: 'img',
      },
      element('title', {}, escapeXml(title)),
      element('rect', { width: '100%', height: '100%', fill: '#ffffff' }),
      ...body,
    ) + '\n'
  );
}
