// A small well-formedness check for the SVG tests (no XML parser among the dependencies): every tag closed
// in order, attributes quoted, no stray `<` or `&` in text.

/** Problems found in `xml`, empty when it is well-formed; also the element names seen. */
export function checkXml(xml: string): {
  readonly problems: readonly string[];
  readonly elements: ReadonlySet<string>;
} {
  const problems: string[] = [];
  const elements = new Set<string>();
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/y;
  let index = 0;
  let roots = 0;
  while (index < xml.length) {
    const next = xml.indexOf('<', index);
    const textEnd = next === -1 ? xml.length : next;
    const between = xml.slice(index, textEnd);
    if (/&(?!(amp|lt|gt|quot|apos|#\d+);)/.test(between)) problems.push(`unescaped & in "${between}"`);
    if (stack.length === 0 && between.trim() !== '') problems.push(`text outside the root: "${between}"`);
    if (next === -1) break;
    tag.lastIndex = next;
    const match = tag.exec(xml);
    if (match === null) {
      problems.push(`malformed tag at ${String(next)}: ${xml.slice(next, next + 40)}`);
      break;
    }
    const [whole, closing, name = '', , selfClosing] = match;
    if (closing === '/') {
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${open ?? 'nothing'}>`);
    } else {
      elements.add(name);
      if (stack.length === 0) roots++;
      if (selfClosing !== '/') stack.push(name);
    }
    index = next + whole.length;
  }
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(' > ')}`);
  if (roots !== 1) problems.push(`${String(roots)} root elements`);
  return { problems, elements };
}
