// GPT-2's byte-level alphabet: each of the 256 byte values stands for one printable character, so that BPE
// runs on strings and the vocabulary files stay readable JSON. Printable Latin-1 bytes ('!'..'~', '¡'..'¬',
// '®'..'ÿ') stand for themselves; the other 68 bytes (controls, space, soft hyphen…) take the characters
// from U+0100 upwards in byte order, so the space byte 0x20 is 'Ġ' (U+0120) and '\n' is 'Ċ'.

function keepsItsOwnCharacter(byte: number): boolean {
  return (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || (byte >= 0xae && byte <= 0xff);
}

function buildAlphabet(): string {
  let alphabet = '';
  let next = 0x100;
  for (let byte = 0; byte < 256; byte++) {
    alphabet += String.fromCharCode(keepsItsOwnCharacter(byte) ? byte : next++);
  }
  return alphabet;
}

/** The 256 characters of the alphabet: `byteAlphabet.charAt(byte)` stands for `byte`. */
export const byteAlphabet: string = buildAlphabet();

/** The byte each alphabet character stands for. */
export const characterToByte: ReadonlyMap<string, number> = new Map(
  Array.from(byteAlphabet, (character, byte) => [character, byte]),
);

const symbol = (byte: number): string => byteAlphabet.charAt(byte);

/**
 * The byte-level string of a piece of text: its UTF-8 bytes, one alphabet character each. A lone surrogate
 * (not valid Unicode) is encoded as U+FFFD, as `TextEncoder` does.
 */
export function toByteLevel(text: string): string {
  let out = '';
  for (const character of text) {
    let point = character.codePointAt(0) ?? 0xfffd;
    if (point >= 0xd800 && point <= 0xdfff) point = 0xfffd;
    if (point < 0x80) {
      out += symbol(point);
    } else if (point < 0x800) {
      out += symbol(0xc0 | (point >> 6)) + symbol(0x80 | (point & 0x3f));
    } else if (point < 0x10000) {
      out +=
        symbol(0xe0 | (point >> 12)) + symbol(0x80 | ((point >> 6) & 0x3f)) + symbol(0x80 | (point & 0x3f));
    } else {
      out +=
        symbol(0xf0 | (point >> 18)) +
        symbol(0x80 | ((point >> 12) & 0x3f)) +
        symbol(0x80 | ((point >> 6) & 0x3f)) +
        symbol(0x80 | (point & 0x3f));
    }
  }
  return out;
}

/**
 * The bytes a byte-level string stands for. Characters outside the alphabet (an added token such as
 * `<|endoftext|>` is plain ASCII and inside it) are taken as their own UTF-8 bytes.
 */
export function fromByteLevel(symbols: string, into: number[]): void {
  for (const character of symbols) {
    const byte = characterToByte.get(character);
    if (byte !== undefined) into.push(byte);
    else into.push(...new TextEncoder().encode(character));
  }
}

/** The number of UTF-8 bytes of one code point. */
export function utf8Length(point: number): number {
  if (point < 0x80) return 1;
  if (point < 0x800) return 2;
  if (point < 0x10000 || (point >= 0xd800 && point <= 0xdfff)) return 3;
  return 4;
}
