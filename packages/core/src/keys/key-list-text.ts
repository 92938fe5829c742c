import { VaultError } from '../errors/index.js';

/** SP and HTAB at either end: the only white space FORMAT.md's key list grammar allows around an entry. */
const EDGE_WSP = /^[ \t]+|[ \t]+$/g;
/** A comment line of a key list: optional SP/HTAB, then `#`. */
const COMMENT = /^[ \t]*#/;

/**
 * The entries of a key list's text, by FORMAT.md's grammar: entries separated by `,` or line
 * breaks (`LF`, or `CR LF` as written on Windows; one `CR` may also end the text), SP and HTAB
 * around an entry dropped, blank entries skipped, and with `comments` lines starting with `#`
 * skipped. Any other white space (U+00A0, a lone CR, ...) is left in the entry, whose own
 * syntax then refuses it.
 * @throws VaultError `INVALID_KEYRING` for a CR that neither precedes a LF nor ends the text.
 */
export function keyListEntries(text: string, comments: boolean): string[] {
  const body = text.endsWith('\r') ? text.slice(0, -1) : text;
  const entries: string[] = [];
  const lines = body.split('\n');
  lines.forEach((raw, index) => {
    const line = index < lines.length - 1 && raw.endsWith('\r') ? raw.slice(0, -1) : raw; // CR LF
    if (line.includes('\r')) {
      throw new VaultError('INVALID_KEYRING', `key list line ${index + 1}: a CR must be followed by LF`);
    }
    if (comments && COMMENT.test(line)) return;
    for (const entry of line.split(',')) {
      const trimmed = entry.replace(EDGE_WSP, '');
      if (trimmed !== '') entries.push(trimmed);
    }
  });
  return entries;
}
