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
import { xchacha } from '../../../packages/core/src/aead.js';
import { canonicalJson } from '../../../packages/core/src/canonical-json.js';
import { dataContext, openRecord, sealRecord, wrapContext } from '../../../packages/core/src/envelope.js';
import { type Measured, measure } from './measure.js';
import { typicalConnection, typicalConnectionAuth } from './records.js';

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
