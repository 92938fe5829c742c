// A child process of events.test.ts: a vault whose listeners throw and reject on every `set`.
// Prints "resolved <n>" once both sets resolved, and "alive" a moment later: the process survived.
import { connectionAuthSchema, createKeyring, createVault, generateKey } from '@credvault/core';

const vault = createVault({ keyring: createKeyring([{ kid: 'k', key: generateKey() }]), schema: connectionAuthSchema });
vault.on('set', () => {
  throw new Error('audit sink down');
});
vault.on('*', async () => {
  throw new Error('async audit sink down');
});
await vault.set('c1', { accessToken: 'a' });
await vault.set('c2', { accessToken: 'b' });
console.log(`resolved ${(await vault.has('c1')) && (await vault.has('c2')) ? 2 : 0}`);
await new Promise((resolve) => setTimeout(resolve, 50));
console.log('alive');
