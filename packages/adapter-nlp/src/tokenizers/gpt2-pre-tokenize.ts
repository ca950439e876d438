// GPT-2's pre-tokenisation: text is cut into pieces (contractions, runs of letters or digits or other
// symbols with at most one leading space, whitespace) and BPE runs inside each piece, never across.
// `\s` is written as the Unicode White_Space property: that is what the Python `regex` module and Rust's
// regex (tiktoken, Hugging Face tokenizers) mean by `\s`. JavaScript's `\s` differs on U+0085 (not in it)
// and U+FEFF (in it).
const gpt2Pattern =
  /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\p{White_Space}\p{L}\p{N}]+|\p{White_Space}+(?!\P{White_Space})|\p{White_Space}+/gu;

/** A piece of the text and the index where it starts. */
export interface PreToken {
  readonly text: string;
  readonly start: number;
}

/** The pieces of `text` in order; together they are exactly `text`. */
export function gpt2PreTokenize(text: string): PreToken[] {
  const pieces: PreToken[] = [];
  for (const match of text.matchAll(gpt2Pattern)) pieces.push({ text: match[0], start: match.index });
  return pieces;
}
