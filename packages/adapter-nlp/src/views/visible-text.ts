/** Whether a UTF-16 code unit is a control character other than newline and tab (C0, DEL, C1). */
function isControl(code: number): boolean {
  return (code < 0x20 && code !== 0x0a && code !== 0x09) || (code >= 0x7f && code <= 0x9f);
}

/**
 * `text` with control characters (other than newline and tab) replaced by their visible Unicode "control
 * pictures" (␛ for ESC, ␀ for NUL, ␡ for DEL; C1 controls as �): a token must never be able to move the
 * cursor or recolour a terminal.
 */
export function visibleText(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.charCodeAt(0);
    if (!isControl(code)) out += char;
    else out += code < 0x20 ? String.fromCharCode(0x2400 + code) : code === 0x7f ? '\u2421' : '\ufffd';
  }
  return out;
}
