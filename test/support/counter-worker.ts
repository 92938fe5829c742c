// One process of the lost-update test: `writers` concurrent writers, each doing `increments`
// read-modify-write increments through vault.update, all walking the records in the same
// order so that they collide. Prints {"successes": n, "retries": lost races retried}.
import { createVault, isVaultError, parseKeyList } from '@credvault/core';
import { counterSchema } from './counter.js';
import { storeFromSpec } from './stores.js';

const [spec, writersArg, incrementsArg, recordsArg, name] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
];
const [writers, increments, records] = [Number(writersArg), Number(incrementsArg), Number(recordsArg)];
const store = storeFromSpec(spec);
const vault = createVault({
  store,
  keyring: parseKeyList(process.env.CREDVAULT_KEYS as string),
  schema: counterSchema,
  namespace: 'counters',
});

let successes = 0;
let conflicts = 0;
let calls = 0;
await Promise.all(
  Array.from({ length: writers }, async (_, w) => {
    for (let i = 0; i < increments; i++) {
      const id = `r${(i * 7) % records}`;
      try {
        await vault.update(
          id,
          (current) => {
            calls += 1;
            return current && { ...current, count: current.count + 1, lastWriter: `${name}/${w}` };
          },
          { maxAttempts: 10_000 },
        );
        successes += 1;
      } catch (error) {
        if (!isVaultError(error, 'CONFLICT')) throw error;
        conflicts += 1;
      }
    }
  }),
);
await store.close?.();
console.log(JSON.stringify({ successes, conflicts, retries: calls - successes - conflicts }));
