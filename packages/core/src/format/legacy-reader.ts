import { invalidArgument, isRecordLike, isVaultError, optionsArgument, VaultError } from '../errors/index.js';
import { FORMAT_VERSION } from './envelope-text.js';

const PREFIX = `${FORMAT_VERSION}.`;

/**
 * Reads a value stored before credvault (plaintext JSON, a hand-rolled cipher text, anything
 * else) into the record it holds, so that a table can adopt `cv1` row by row: a vault or sealer
 * given one reads such values (reporting each as a `legacy` event, counted by `status`) and
 * `migrate` rewrites them as envelopes. A value starting with `cv1.` is never given to it.
 */
export interface LegacyReader {
  /** A short name for events and reports, e.g. `plaintext-json` or `aes-256-gcm`. */
  readonly name: string;
  /**
   * The record input `stored` holds (validated by the schema afterwards, like a write), or
   * `undefined` when `stored` is not in this reader's format. Throw a `VaultError` for a value
   * in its format that does not read (e.g. fails to authenticate); never put the value in it.
   */
  read(stored: string, id: string): unknown;
}

/** Whether `stored` is a legacy value: a string, not a `cv1` envelope; what a {@link LegacyReader} is given. */
export function isLegacyValue(stored: string): boolean {
  return typeof stored === 'string' && !stored.startsWith(PREFIX);
}

/** The `legacy` option resolved: one reader trying each given, in order. */
export interface LegacyReaders {
  /** The record input and the reader that read it, or `undefined` when none reads `stored`. */
  read(stored: string, id: string): Promise<{ readonly input: unknown; readonly reader: string } | undefined>;
}

/**
 * Checks and resolves the `legacy` option.
 * @throws VaultError `INVALID_ARGUMENT` (path `legacy` or `legacy.<i>`) for a reader without a
 * string `name` and a `read` function.
 */
export function legacyReaders(option: unknown): LegacyReaders | undefined {
  if (option === undefined) return undefined;
  const list = Array.isArray(option) ? (option as unknown[]) : [option];
  list.forEach((reader, i) => {
    const ok = isRecordLike(reader) && typeof reader.name === 'string' && typeof reader.read === 'function';
    if (!ok) {
      throw new VaultError('INVALID_ARGUMENT', 'a legacy reader is { name: string, read(stored, id) }', {
        path: Array.isArray(option) ? `legacy.${i}` : 'legacy',
      });
    }
  });
  const readers = [...(list as LegacyReader[])];
  return {
    async read(stored, id) {
      for (const reader of readers) {
        let input: unknown;
        try {
          input = await reader.read(stored, id);
        } catch (error) {
          if (isVaultError(error)) throw error;
          // no cause: a reader's own error may quote the value
          throw new VaultError('DECRYPT_FAILED', `the legacy reader "${reader.name}" failed`, { id });
        }
        if (input !== undefined) return { input, reader: reader.name };
      }
      return undefined;
    },
  };
}

/** Options of {@link plaintextJson}. */
export interface PlaintextJsonOptions {
  /** Turns the parsed JSON into the record input; default: the parsed value itself. */
  readonly map?: (parsed: unknown, id: string) => unknown;
}

/**
 * A {@link LegacyReader} of records stored as plain JSON text (`{"accessToken":"..."}`): the
 * starting point of most tables. A value that is not a JSON object is not in its format.
 */
export function plaintextJson(options?: PlaintextJsonOptions): LegacyReader {
  const map = mapOption(optionsArgument(options).map);
  return {
    name: 'plaintext-json',
    read(stored, id) {
      if (!stored.trimStart().startsWith('{')) return undefined;
      let parsed: unknown;
      try {
        parsed = JSON.parse(stored);
      } catch {
        return undefined;
      }
      return map(parsed, id);
    },
  };
}

/** The order of the parts after the prefix of a hand-rolled AES-256-GCM value. */
export type AesGcmLayout = 'iv:ciphertext:tag' | 'iv:tag:ciphertext' | 'iv:ciphertext+tag';

/** Options of {@link aesGcmText}. */
export interface AesGcmTextOptions {
  /** The 32-byte AES-256 key the values were encrypted under. It is copied. */
  readonly key: Uint8Array;
  /** What every such value starts with, e.g. `enc:v1:`; may be empty. */
  readonly prefix: string;
  /** How the parts are written: `hex`, `base64` or `base64url`. */
  readonly encoding: 'hex' | 'base64' | 'base64url';
  /** The parts after the prefix, separated by `:`. Default `iv:ciphertext:tag`. */
  readonly layout?: AesGcmLayout;
  /** Turns the decrypted text into the record input; default `JSON.parse` of it. */
  readonly map?: (plaintext: string, id: string) => unknown;
}

/**
 * A {@link LegacyReader} of the hand-rolled scheme found in many codebases:
 * `<prefix><iv>:<ciphertext>:<tag>` (or another {@link AesGcmLayout}) in hex or base64,
 * AES-256-GCM under one application key, no associated data. It uses WebCrypto
 * (`globalThis.crypto.subtle`), present on every runtime credvault supports. A value with the
 * prefix that does not authenticate is `DECRYPT_FAILED`, never read as something else.
 * @throws VaultError `INVALID_ARGUMENT` for a key that is not 32 bytes or a bad option.
 */
export function aesGcmText(options: AesGcmTextOptions): LegacyReader {
  if (!isRecordLike(options)) throw invalidArgument('options', 'an object of options ({ key, prefix, encoding })');
  const { key, prefix, encoding, layout = 'iv:ciphertext:tag' } = options;
  if (!(key instanceof Uint8Array) || key.length !== 32) {
    throw new VaultError('INVALID_ARGUMENT', 'key must be a Uint8Array of 32 bytes', { path: 'key' });
  }
  if (typeof prefix !== 'string')
    throw new VaultError('INVALID_ARGUMENT', 'prefix must be a string', { path: 'prefix' });
  // own keys only: 'toString' is `in` every object, and a non-string key throws converting itself
  if (typeof encoding !== 'string' || !Object.hasOwn(DECODERS, encoding)) {
    throw new VaultError('INVALID_ARGUMENT', 'encoding must be "hex", "base64" or "base64url"', { path: 'encoding' });
  }
  if (!LAYOUTS.includes(layout)) {
    throw new VaultError('INVALID_ARGUMENT', `layout must be one of ${LAYOUTS.join(', ')}`, { path: 'layout' });
  }
  const map = mapOption(options.map, (text) => JSON.parse(text) as unknown);
  const decode = DECODERS[encoding];
  const subtle = globalThis.crypto.subtle;
  const imported = subtle.importKey('raw', key.slice(), 'AES-GCM', false, ['decrypt']);
  imported.catch(() => undefined); // reported by the first read
  return {
    name: 'aes-256-gcm',
    async read(stored, id) {
      if (!stored.startsWith(prefix)) return undefined;
      const parts = stored.slice(prefix.length).split(':').map(decode);
      const sealed = joinParts(layout, parts);
      if (sealed === undefined) return undefined;
      const bad = (cause?: unknown) =>
        new VaultError('DECRYPT_FAILED', 'the legacy AES-256-GCM value does not decrypt under the given key', {
          id,
          ...(cause === undefined ? {} : { cause }),
        });
      let plaintext: string;
      try {
        const clear = await subtle.decrypt({ name: 'AES-GCM', iv: sealed.iv }, await imported, sealed.data);
        plaintext = new TextDecoder('utf-8', { fatal: true }).decode(clear);
      } catch {
        throw bad(); // no cause: WebCrypto's errors say nothing more, and nothing of the value may leak
      }
      try {
        return map(plaintext, id);
      } catch (error) {
        if (error instanceof VaultError) throw error;
        throw new VaultError('VALIDATION_FAILED', 'the decrypted legacy value is not a record', { id });
      }
    },
  };
}

const LAYOUTS: readonly AesGcmLayout[] = ['iv:ciphertext:tag', 'iv:tag:ciphertext', 'iv:ciphertext+tag'];

const HEX = /^(?:[0-9a-fA-F]{2})*$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/;

function fromBase64Text(text: string, pattern: RegExp): Uint8Array | undefined {
  if (!pattern.test(text)) return undefined;
  const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

const DECODERS: Record<AesGcmTextOptions['encoding'], (text: string) => Uint8Array | undefined> = {
  hex: (text) => (HEX.test(text) ? Uint8Array.from(text.match(/../g) ?? [], (b) => Number.parseInt(b, 16)) : undefined),
  base64: (text) => fromBase64Text(text, BASE64),
  base64url: (text) => fromBase64Text(text, BASE64URL),
};

/** The IV and the cipher text with its 16-byte tag appended (WebCrypto's form), or `undefined` when the parts do not fit the layout. */
function joinParts(
  layout: AesGcmLayout,
  parts: readonly (Uint8Array | undefined)[],
): { iv: Uint8Array; data: Uint8Array } | undefined {
  if (parts.some((part) => part === undefined)) return undefined;
  const [iv, a, b] = parts as Uint8Array[];
  const expected = layout === 'iv:ciphertext+tag' ? 2 : 3;
  if (parts.length !== expected || iv === undefined || iv.length < 12 || a === undefined) return undefined;
  if (layout === 'iv:ciphertext+tag') return a.length < 16 ? undefined : { iv, data: a };
  const [ciphertext, tag] = layout === 'iv:ciphertext:tag' ? [a, b as Uint8Array] : [b as Uint8Array, a];
  if (tag.length !== 16) return undefined;
  const data = new Uint8Array(ciphertext.length + 16);
  data.set(ciphertext);
  data.set(tag, ciphertext.length);
  return { iv, data };
}

function mapOption<T>(
  map: ((value: T, id: string) => unknown) | undefined,
  fallback: (value: T, id: string) => unknown = (value) => value,
): (value: T, id: string) => unknown {
  if (map !== undefined && typeof map !== 'function') {
    throw new VaultError('INVALID_ARGUMENT', 'map must be a function', { path: 'map' });
  }
  return map ?? fallback;
}
