// The top-activating text of a few sparse-autoencoder features: for each, the held-out positions where it
// fires most, each shown as the text the model had read up to there with the character at that position
// highlighted (the feature is computed from that character and the ones before it).
import { escapeHtml } from '@tdhook/adapter-nlp';

/** One held-out position where a feature fires. */
export interface Snippet {
  /** The characters before the position (up to {@link contextBefore}). */
  readonly before: string;
  readonly char: string;
  /** A few characters after it, which the model had not seen yet. */
  readonly after: string;
  readonly activation: number;
}

/** A feature with its strongest held-out positions. */
export interface FeatureSnippets {
  readonly feature: number;
  /** The fraction of held-out positions where it fires (> 0). */
  readonly frequency: number;
  /** The character at the position of most of its top activations, and how many of them. */
  readonly commonChar: string;
  readonly commonCount: number;
  readonly snippets: readonly Snippet[];
}

const contextBefore = 36;
const contextAfter = 6;
/** Top activations considered for a feature's common character. */
const topForChar = 20;

/**
 * Picks `count` features and their `perFeature` strongest positions. Features are taken among those firing on
 * 0.5–10 % of the held-out positions (frequent enough to have a pattern, rare enough to be specific), by
 * their largest activation, strongest first, skipping a feature whose most common character an earlier pick
 * already has (so the few shown differ). Overlapping windows can hold the same text twice: a position whose
 * text repeats one already shown is skipped.
 *
 * @param activations `[rows, features]` row-major, rows = windows · length in window order.
 */
export function featureSnippets(
  activations: Float32Array,
  features: number,
  text: readonly string[],
  count: number,
  perFeature: number,
): FeatureSnippets[] {
  const length = text[0]?.length ?? 1;
  const rows = activations.length / features;
  const frequency = new Float64Array(features);
  const largest = new Float64Array(features);
  for (let row = 0; row < rows; row++) {
    for (let feature = 0; feature < features; feature++) {
      const value = activations[row * features + feature] as number;
      if (value > 0) frequency[feature] = (frequency[feature] ?? 0) + 1 / rows;
      if (value > (largest[feature] ?? 0)) largest[feature] = value;
    }
  }
  const candidates = Array.from(frequency.keys())
    .filter((feature) => (frequency[feature] ?? 0) >= 0.005 && (frequency[feature] ?? 0) <= 0.1)
    .sort((a, b) => (largest[b] ?? 0) - (largest[a] ?? 0));
  const describe = (feature: number): FeatureSnippets => {
    const order = Array.from({ length: rows }, (_, row) => row).sort(
      (a, b) => (activations[b * features + feature] ?? 0) - (activations[a * features + feature] ?? 0),
    );
    const at = (row: number): Snippet => {
      const window = text[Math.floor(row / length)] ?? '';
      const position = row % length;
      return {
        before: window.slice(Math.max(0, position - contextBefore), position),
        char: window[position] ?? '',
        after: window.slice(position + 1, position + 1 + contextAfter),
        activation: activations[row * features + feature] ?? Number.NaN,
      };
    };
    const counts = new Map<string, number>();
    for (const row of order.slice(0, topForChar)) {
      const char = at(row).char;
      counts.set(char, (counts.get(char) ?? 0) + 1);
    }
    const [commonChar, commonCount] = [...counts].sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
    const seen = new Set<string>();
    const snippets: Snippet[] = [];
    for (const row of order) {
      if (snippets.length === perFeature) break;
      const snippet = at(row);
      const key = `${snippet.before.slice(-12)}|${snippet.char}|${snippet.after}`;
      if (seen.has(key)) continue;
      seen.add(key);
      snippets.push(snippet);
    }
    return { feature, frequency: frequency[feature] ?? 0, commonChar, commonCount, snippets };
  };
  const picked: FeatureSnippets[] = [];
  for (const feature of candidates) {
    if (picked.length === count) break;
    const described = describe(feature);
    if (picked.every((other) => other.commonChar !== described.commonChar)) picked.push(described);
  }
  return picked;
}

/** A character as it reads in a snippet: a space, a line break and the like made visible. */
export function visibleChar(char: string): string {
  return char === ' ' ? '␣' : char === '\n' ? '⏎' : char;
}

const shown = (text: string): string => escapeHtml(text.replace(/\n/g, '⏎'));

const style = `<style>
.sae-features { font-size: 0.9rem; }
.sae-features h4 { margin: 0.6rem 0 0.2rem; font-size: 0.95rem; }
.sae-features ol { margin: 0 0 0.4rem; padding-left: 1.6rem; }
.sae-features li { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; white-space: pre; }
.sae-features mark { background: #ffb74d; color: #1b1b1b; border-radius: 2px; padding: 0 1px; }
.sae-features .after { color: #aaa; }
.sae-features .value { color: #666; font-family: system-ui, sans-serif; margin-left: 0.8rem; }
</style>`;

/**
 * The features and their snippets as an HTML fragment (escaped here). The text is padded to fixed widths so
 * that, in the monospace list, the highlighted characters and the activations line up in columns.
 */
export function featureSnippetsHtml(features: readonly FeatureSnippets[]): string {
  const blocks = features.map((feature) => {
    const items = feature.snippets.map(
      (snippet) =>
        `<li>${shown(snippet.before.padStart(contextBefore))}<mark>${escapeHtml(visibleChar(snippet.char))}</mark><span class="after">${shown(snippet.after.padEnd(contextAfter))}</span><span class="value">${snippet.activation.toFixed(2)}</span></li>`,
    );
    const heading = `Feature ${String(feature.feature)}: fires on ${(100 * feature.frequency).toFixed(1)} % of held-out positions; ${String(feature.commonCount)} of its top ${String(topForChar)} are at “${escapeHtml(visibleChar(feature.commonChar))}”`;
    return `<h4>${heading}</h4><ol>${items.join('')}</ol>`;
  });
  return `${style}<div class="sae-features">${blocks.join('')}</div>`;
}
