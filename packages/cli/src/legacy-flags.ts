import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type AesGcmLayout, aesGcmText, type LegacyReader, plaintextJson, VaultError } from '@credvault/core';

/** The flags of `credvault migrate` that say how the values stored before credvault read. */
export interface LegacyFlags {
  /** `plaintext-json`, `aes-gcm` or `module`. */
  readonly legacy?: string;
  /** `--legacy-key-file`: the AES-256 key, 32 bytes as hex or base64/base64url text (else `CREDVAULT_LEGACY_KEY`). */
  readonly legacyKeyFile?: string;
  readonly legacyPrefix?: string;
  readonly legacyEncoding?: 'hex' | 'base64' | 'base64url';
  readonly legacyLayout?: AesGcmLayout;
  /** `--legacy-module`: an ES module whose default export is a LegacyReader (or an array of them). */
  readonly legacyModule?: string;
}

const bad = (message: string, path: string) => new VaultError('INVALID_ARGUMENT', message, { path });

/** 32 key bytes from hex or base64(url) text; never echoes the text. */
function keyBytes(text: string, from: string): Uint8Array {
  const trimmed = text.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : /^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)
      ? Buffer.from(trimmed.replaceAll('-', '+').replaceAll('_', '/'), 'base64')
      : undefined;
  if (bytes?.length !== 32) throw bad(`${from} must hold 32 bytes as hex (64 digits) or base64`, 'legacyKeyFile');
  return new Uint8Array(bytes);
}

/**
 * The legacy readers the flags describe (`--legacy`, default `plaintext-json`).
 * @throws VaultError `INVALID_ARGUMENT` naming the flag at fault.
 */
export async function legacyReaders(
  flags: LegacyFlags,
  env: NodeJS.ProcessEnv,
): Promise<LegacyReader | LegacyReader[]> {
  switch (flags.legacy ?? 'plaintext-json') {
    case 'plaintext-json':
      return plaintextJson();
    case 'aes-gcm': {
      const keyText =
        flags.legacyKeyFile === undefined ? env.CREDVAULT_LEGACY_KEY : await readFile(flags.legacyKeyFile, 'utf8');
      if (keyText === undefined)
        throw bad('--legacy aes-gcm needs --legacy-key-file <path> or CREDVAULT_LEGACY_KEY', 'legacyKeyFile');
      if (flags.legacyPrefix === undefined)
        throw bad('--legacy aes-gcm needs --legacy-prefix (e.g. enc:v1:, or "" for none)', 'legacyPrefix');
      const key = keyBytes(keyText, flags.legacyKeyFile ?? 'CREDVAULT_LEGACY_KEY');
      try {
        return aesGcmText({
          key,
          prefix: flags.legacyPrefix,
          encoding: flags.legacyEncoding ?? 'hex',
          ...(flags.legacyLayout === undefined ? {} : { layout: flags.legacyLayout }),
        });
      } finally {
        key.fill(0); // aesGcmText imported its own copy
      }
    }
    case 'module': {
      if (flags.legacyModule === undefined) throw bad('--legacy module needs --legacy-module <path>', 'legacyModule');
      const path = isAbsolute(flags.legacyModule) ? flags.legacyModule : resolve(flags.legacyModule);
      const loaded = (await import(pathToFileURL(path).href)) as { default?: unknown };
      if (loaded.default === undefined)
        throw bad(`${flags.legacyModule} has no default export (a LegacyReader)`, 'legacyModule');
      return loaded.default as LegacyReader | LegacyReader[]; // checked by createVault
    }
    default:
      throw bad('--legacy must be plaintext-json, aes-gcm or module', 'legacy');
  }
}
