import { formatKeyEntry, generateKey, parseKeyList, parseKeySpecs, VaultError } from '@credvault/core';
import { describe, expect, it } from 'vitest';

/**
 * FORMAT.md's key list grammar, to the last character (issue 31, "FORMAT.md and the library
 * agree"): line breaks are LF or CR LF (a key file saved on Windows), one CR may end the text;
 * only SP and HTAB may surround an entry; `wrapped:` and `remote:` entries are parseKeySpecs's.
 */
const a = formatKeyEntry('k1', generateKey());
const b = formatKeyEntry('k2', generateKey());
const ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const WRAPPED = 'AAECAwQFBgcICQ'; // any unpadded base64url: the provider's ciphertext

const readers = [
  ['parseKeyList', (text: string) => parseKeyList(text).kids],
  ['parseKeySpecs', (text: string) => parseKeySpecs(text).map((spec) => spec.kid)],
] as const;

const refused = (read: () => unknown) => {
  let error: unknown;
  try {
    read();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(VaultError);
  expect(error).toMatchObject({ code: 'INVALID_KEYRING' });
  expect(String((error as Error).message)).not.toContain(a.slice(3)); // never the key
};

describe.each(readers)('%s', (_name, kids) => {
  it.each([
    ['LF', `${a}\n${b}`],
    ['CR LF', `${a}\r\n${b}`],
    ['CR LF at the end', `${a}\r\n${b}\r\n`],
    ['one CR at the end (a CR LF file read by `$(cat ...)`)', `${a}\r\n${b}\r`],
    ['commas', `${a},${b}`],
    ['SP and HTAB around entries', ` \t${a} ,\t${b}\t `],
    ['blank entries and lines', `\r\n${a},, ,\r\n\r\n${b},`],
  ])('accepts %s', (_case, text) => {
    expect(kids(text)).toEqual(['k1', 'k2']);
  });

  it.each([
    ['a CR that ends no line', `${a}\r${b}`],
    ['a CR before a comma', `${a}\r,${b}`],
    ['two CRs at the end', `${a}\r\r`],
    ['U+00A0 before an entry', `\u00a0${a},${b}`],
    ['U+00A0 after an entry', `${a}\u00a0,${b}`],
    ['U+00A0 after the last entry', `${a},${b}\u00a0`],
    ['U+2003 around an entry', `\u2003${a},${b}`],
    ['U+3000 around an entry', `${a},${b}\u3000`],
    ['a byte order mark', `\ufeff${a},${b}`],
    ['a vertical tab', `${a}\v,${b}`],
    ['a form feed', `${a},\f${b}`],
    ['U+2028 as a line break', `${a}\u2028${b}`],
  ])('refuses %s', (_case, text) => refused(() => kids(text)));
});

describe('parseKeyList: local entries only', () => {
  it.each([
    ['a remote entry', `k9:remote:aws-kms:${ARN}`],
    ['a wrapped entry', `k9:wrapped:pkcs11:credvault-kek:${WRAPPED}`],
    ['a comment line', `# primary\n${a}`],
  ])('refuses %s', (_case, text) => refused(() => parseKeyList(text)));
});

describe('parseKeySpecs: local, wrapped and remote entries, and comments', () => {
  it('reads a remote entry whose keyRef is a KMS key ARN, colons and all', () => {
    expect(parseKeySpecs(`k9:remote:aws-kms:${ARN}`)).toEqual([
      { type: 'remote', kid: 'k9', provider: 'aws-kms', keyRef: ARN },
    ]);
  });

  it('reads a wrapped entry whose keyRef is an ARN: the last colon ends it', () => {
    const [spec] = parseKeySpecs(`k9:wrapped:aws-kms:${ARN}:${WRAPPED}`);
    expect(spec).toMatchObject({ type: 'wrapped', kid: 'k9', provider: 'aws-kms', keyRef: ARN });
    expect(spec?.type === 'wrapped' && [...spec.wrapped]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('keeps white space inside a keyRef (a PKCS#11 label) and drops SP/HTAB around the entry', () => {
    expect(parseKeySpecs(' k9:remote:pkcs11:credvault kek 2 \t')).toEqual([
      { type: 'remote', kid: 'k9', provider: 'pkcs11', keyRef: 'credvault kek 2' },
    ]);
  });

  it('skips comment lines, with CR LF too, and reads every kind side by side', () => {
    const text = `# primary: the HSM\r\nk9:remote:pkcs11:kek\r\n  # old local key\r\n${a}\r\nk8:wrapped:aws-kms:alias/cv:${WRAPPED}\r\n`;
    expect(parseKeySpecs(text).map((spec) => [spec.kid, spec.type])).toEqual([
      ['k9', 'remote'],
      ['k1', 'local'],
      ['k8', 'wrapped'],
    ]);
  });

  it.each([
    ['an empty keyRef', 'k9:remote:pkcs11:'],
    ['an empty wrapped key', 'k9:wrapped:pkcs11:kek:'],
    ['a wrapped entry without keyRef', `k9:wrapped:pkcs11:${WRAPPED}`],
    ['a keyRef ending in U+00A0', 'k9:remote:pkcs11:kek\u00a0'],
    ['a keyRef starting with U+00A0', 'k9:remote:pkcs11:\u00a0kek'],
    ['a keyRef with a control character', 'k9:remote:pkcs11:k\u0001ek'],
    ['a wrapped key that is not base64url', 'k9:wrapped:pkcs11:kek:AA=='],
    ['an upper-case provider', 'k9:remote:PKCS11:kek'],
    ['an unknown entry type', 'k9:sealed:pkcs11:kek'],
    ['a bad kid', 'k 9:remote:pkcs11:kek'],
    ['U+00A0 before a comment', '\u00a0# note\nk9:remote:pkcs11:kek'],
  ])('refuses %s', (_case, text) => refused(() => parseKeySpecs(text)));
});
