import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { generateKey as cloakKey, decryptStringSync, encryptStringSync, parseKeySync } from '@47ng/cloak';
import {
  type AnyCredentialSchema,
  connectionAuthSchema,
  connectionSchema,
  createKeyring,
  createVault,
  generateKey,
  memoryStore,
} from '@credvault/core';
import { openFramed, sealFramed, xchacha } from '../../../packages/core/src/crypto/aead.js';
import { fromBase64url, toBase64url } from '../../../packages/core/src/crypto/base64url.js';
import { fromUtf8, Scratch, utf8Into, randomBytes as vaultRandom } from '../../../packages/core/src/crypto/bytes.js';
import { canonicalJson } from '../../../packages/core/src/format/canonical-json.js';
import { dataContext, openRecord, sealRecord, wrapContext } from '../../../packages/core/src/format/envelope.js';
import { joinEnvelope, splitEnvelope } from '../../../packages/core/src/format/envelope-text.js';
import { type Measured, measure } from './measure.js';
import { typicalConnection, typicalConnectionAuth } from './records.js';

/** The name of the row that times the cv1 format's own work (see `formatWork`). */
export const FORMAT_WORK = 'the cv1 format’s work in one function, no checks (bound)';

function secretsOf(schema: AnyCredentialSchema, record: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([k]) => schema.secret.has(k)));
}

/** Seal + open of one record: credvault, the node:crypto AES-256-GCM floor, and cloak per field; `runs` times (one list of results per run). */
export async function cryptoCases(timeMs: number, runs: number): Promise<{ shape: string; runs: Measured[][] }[]> {
  const keyring = createKeyring([{ kid: 'k1', key: generateKey() }]);
  const aesKey = randomBytes(32);
  const cloak = parseKeySync(cloakKey());
  const out = [];
  for (const [shape, schema, record] of [
    ['Connection', connectionSchema, typicalConnection()],
    ['ConnectionAuth', connectionAuthSchema, typicalConnectionAuth()],
  ] as const) {
    const secrets = secretsOf(schema, record);
    const secret: ReadonlySet<string> = schema.secret;
    const readable = canonicalJson(Object.fromEntries(Object.entries(record).filter(([k]) => !secret.has(k))));
    // The envelope's four AEAD calls and nothing else: seal the secrets, wrap the data key,
    // unwrap it, open the secrets (inputs made once): what any envelope with a wrapped per-record
    // data key pays on this machine, the bound under the envelope's own time.
    const plaintext = new TextEncoder().encode(canonicalJson(secrets));
    const [dek, kek, n1, n2] = [generateKey(), generateKey(), randomBytes(24), randomBytes(24)];
    const [dataAad, wrapAad] = [dataContext('bench', 'id-1', readable), wrapContext('k1', 'bench', 'id-1')];
    const [sealedOut, wrapOut] = [new Uint8Array(plaintext.length + 16), new Uint8Array(48)];
    // The work the cv1 format itself asks for, written out in one function with the envelope's
    // own helpers and none of its checks or awaits: canonical JSON and UTF-8 of the secrets, a
    // fresh data key and nonces, both contexts framed, the four AEAD calls, base64url both ways,
    // the envelope text written and split. The bound under the envelope's time for this format.
    const [plain, context, sealedScratch] = [new Scratch(), new Scratch(), new Scratch()];
    const formatWork = () => {
      const dataKey = vaultRandom(32);
      const bytes = utf8Into(canonicalJson(secrets), plain);
      const sealed = sealFramed(
        dataKey,
        vaultRandom(24),
        bytes,
        dataContext('bench', 'id-1', readable, context),
        sealedScratch,
      );
      bytes.fill(0);
      const wrapped = sealFramed(kek, vaultRandom(24), dataKey, wrapContext('k1', 'bench', 'id-1'));
      dataKey.fill(0);
      const text = joinEnvelope({ kid: 'k1', wrappedKey: toBase64url(wrapped), sealed: toBase64url(sealed), readable });
      const parts = splitEnvelope(text);
      const opened = openFramed(kek, fromBase64url(parts.wrappedKey), wrapContext('k1', 'bench', 'id-1'));
      const aad = dataContext('bench', 'id-1', parts.readable, context);
      const secret = openFramed(opened as Uint8Array, fromBase64url(parts.sealed), aad) as Uint8Array;
      opened?.fill(0);
      const json = fromUtf8(secret);
      secret.fill(0);
      return JSON.parse(json);
    };
    const vault = createVault({
      store: memoryStore(), // the vault's own cost with the store taken out
      keyring,
      schema: schema as AnyCredentialSchema,
      namespace: 'bench',
    });
    const cases = {
      'node:crypto AES-256-GCM (floor)': () => {
        const iv = randomBytes(12);
        const cipher = createCipheriv('aes-256-gcm', aesKey, iv);
        const ct = Buffer.concat([cipher.update(JSON.stringify(secrets)), cipher.final()]);
        const decipher = createDecipheriv('aes-256-gcm', aesKey, iv);
        decipher.setAuthTag(cipher.getAuthTag());
        return JSON.parse(Buffer.concat([decipher.update(ct), decipher.final()]).toString());
      },
      'the envelope’s 4 AEAD calls alone (bound)': () => {
        xchacha.seal(dek, n1, plaintext, dataAad, sealedOut, 0);
        xchacha.seal(kek, n2, dek, wrapAad, wrapOut, 0);
        xchacha.open(kek, n2, wrapOut, wrapAad);
        return xchacha.open(dek, n1, sealedOut, dataAad);
      },
      [FORMAT_WORK]: formatWork,
      'credvault envelope (cv1)': async () => {
        const sealed = await sealRecord(keyring, 'bench', 'id-1', { readable, secret: canonicalJson(secrets) });
        return JSON.parse((await openRecord(keyring, 'bench', 'id-1', sealed)).secret);
      },
      '@47ng/cloak, per secret field': () => {
        const opened: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(secrets)) {
          const text = typeof v === 'string' ? v : JSON.stringify(v);
          opened[k] = decryptStringSync(encryptStringSync(text, cloak), cloak);
        }
        return opened;
      },
      'credvault vault.set + get (validation included)': async () => {
        await vault.set('id-1', record as never);
        return vault.get('id-1');
      },
    };
    const results: Measured[][] = [];
    for (let run = 0; run < runs; run++) results.push(await measure(cases, timeMs));
    out.push({ shape, runs: results });
  }
  return out;
}
