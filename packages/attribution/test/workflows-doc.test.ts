// docs/workflows.md quotes examples/workflow.ts, which the type check compiles and examples.test.ts runs: every
// TypeScript snippet of the guide must be in that file, so the guide's code compiles and runs as written.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string): string => readFileSync(new URL(path, import.meta.url), 'utf8');

/** Code without layout: whitespace and the trailing commas a wider or narrower line adds or drops. */
const withoutLayout = (code: string): string => code.replace(/\s+/g, '').replace(/,(?=[)\]}])/g, '');

describe('docs/workflows.md', () => {
  const guide = read('../../../docs/workflows.md');
  const example = withoutLayout(read('../examples/workflow.ts'));
  const snippets = [...guide.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');

  it('has snippets, none using `using` (a SyntaxError in plain JavaScript on Node 20)', () => {
    expect(snippets.length).toBeGreaterThanOrEqual(8);
    for (const snippet of snippets) expect(snippet).not.toMatch(/^\s*using\s/m);
  });

  it.each(snippets.map((snippet, index) => [index, snippet] as const))(
    'snippet %i is in examples/workflow.ts',
    (_index, snippet) => {
      expect(example).toContain(withoutLayout(snippet));
    },
  );
});
