/**
 * Text from outside (upstream error messages, database errors quoting them, request paths) made
 * safe for a log line: control characters are escaped, so a newline cannot forge a log line and
 * an ANSI sequence cannot reach the terminal, and the length is bounded. Every log line that
 * carries such text goes through here.
 */

/** Longest piece of outside text one log line carries. */
export const MAX_LOGGED_CHARS = 500;

// C0 controls, DEL, C1 controls (0x9b is a one-byte CSI), and the Unicode line and paragraph separators.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this pattern's whole job.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

export function loggable(text: string, max = MAX_LOGGED_CHARS): string {
  const clipped = text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
  return clipped.replace(CONTROL, (char) => {
    if (char === '\n') return '\\n';
    if (char === '\r') return '\\r';
    if (char === '\t') return '\\t';
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
