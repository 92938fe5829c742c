// Run in a project with keyv 6 and the @credvault/core tarball only (no @types/node): type-checked
// with lib es2023+dom and no node types, then run under Node 22 and 24 (keyv 6 needs Node >= 22.19).
import {
  connectionSchema,
  createVault,
  cryptoBackend,
  formatKeyEntry,
  generateKey,
  keyvStore,
  parseKeyList,
} from '@credvault/core';
import { Keyv } from 'keyv';

const keyv: Keyv = new Keyv();
const vault = createVault({
  store: keyvStore(keyv),
  keyring: parseKeyList(formatKeyEntry('k1', generateKey())),
  schema: connectionSchema,
  namespace: 'smoke',
});
await vault.set('c1', {
  idConnection: 'c1',
  status: 'active',
  providerSlug: 'hubspot',
  vertical: 'crm',
  accountUrl: 'https://example.com/account',
  tokenType: 'oauth2',
  accessToken: 'access-keyv6',
  refreshToken: 'refresh-keyv6',
  expirationTimestamp: '2026-10-01T12:00:00Z',
  createdAt: '2026-10-01T12:00:00Z',
  connectionToken: 'token-keyv6',
  idProject: 'smoke',
  idLinkedUser: 'user-1',
});
const raw: unknown = await keyv.get('smoke:c1');
const opened = await vault.get('c1');
if (opened?.accessToken !== 'access-keyv6') throw new Error('the record did not open through keyv 6');
if (typeof raw !== 'string' || raw.includes('access-keyv6'))
  throw new Error('keyv 6 does not hold the sealed envelope');
console.log(JSON.stringify({ keyv: 6, crypto: cryptoBackend(), envelope: raw.slice(0, 4) }));
