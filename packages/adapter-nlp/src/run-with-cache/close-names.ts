function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The known names closest to `name` by edit distance, best first (at most `count`), for "did you mean"
 * messages.
 *
 * @example
 * closeNames('blocks.0.attn.hook_qq', model.hookPoints()); // ['blocks.0.attn.hook_q', …]
 */
export function closeNames(name: string, known: readonly string[], count = 3): string[] {
  return known
    .map((candidate) => [candidate, editDistance(name, candidate)] as const)
    .sort((a, b) => a[1] - b[1])
    .slice(0, count)
    .map(([candidate]) => candidate);
}
