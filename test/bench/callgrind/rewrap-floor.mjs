// Instruction counts per record of the rewrap and of the crypto floor, on the built packages
// (pnpm build first), for callgrind, where wall time on a loaded machine is not stable:
//   valgrind --tool=callgrind --smc-check=all-non-file node --single-threaded rewrap-floor.mjs <case> <n>
// Cases: rewrap (format/envelope.rewrapRecord), floor (keyring.unwrap + keyring.wrap of a 32-byte
// data key, contexts made once: the bench's crypto floor), floor-parsed (the floor plus what any
// rewrap of a cv1 text must parse and write: split, base64url of the wrapped key both ways, the
// wrap context framed, the head joined), none (the set-up alone). Per record: the difference of
// two runs' totals over the difference of their n, e.g. (count.sh rewrap 6000 − count.sh rewrap
// 2000) / 4000: start-up, seeding and warm-up cancel out. Add --no-liftoff (after count.sh's two
// arguments) to compile the WebAssembly with TurboFan from the start: with Liftoff first, when
// V8 tiers a function up varies from run to run, and so did the floor (26,700-42,300 a record).

// CORE_DIST=<dir, relative to this file> measures another build of @credvault/core (one made at an older commit).
const dist = new URL(`${process.env.CORE_DIST ?? '../../../packages/core/dist'}/`, import.meta.url);
const load = (path) => import(new URL(path, dist).href);
const { connectionSchema, createKeyring, createVault, cryptoReady, generateKey, memoryStore } = await load('index.js');
const { fromBase64url, toBase64url } = await load('crypto/base64url.js');
const { rewrapRecord, wrapContext } = await load('format/envelope.js');
const { splitEnvelope } = await load('format/envelope-text.js');

const [which = 'rewrap', count = '1000'] = process.argv.slice(2);
const n = Number(count);
await cryptoReady();
const old = { kid: 'k0', key: generateKey() };
const next = { kid: 'k1', key: generateKey() };
const store = memoryStore();
const chars = (k, seed) => seed.repeat(Math.ceil(k / seed.length)).slice(0, k);
const SAMPLE = 500;
const seedVault = createVault({ store, keyring: createKeyring([old]), schema: connectionSchema, namespace: 'r' });
await seedVault.setMany(
  Array.from({ length: SAMPLE }, (_, i) => [
    `c${i}`,
    {
      idConnection: `0b6f3a9e-5c1d-4f7e-9a2b-${String(i).padStart(12, '0')}`,
      status: 'active',
      providerSlug: 'hubspot',
      vertical: 'crm',
      accountUrl: 'https://app.hubspot.com/contacts/44556677',
      tokenType: 'oauth2',
      accessToken: chars(600, `CJSP5qf1MhICAQEYs-gDIIGOBii1hQIyGQAf3xBKmlwHjX7OIpuIFEavB2-qYAGQsF4${i}`),
      refreshToken: `eu1-7c5d-4a4f-9b1e-${i}-0e9f8d7c6b5a`,
      expirationTimestamp: new Date('2026-11-22T12:00:00Z'),
      createdAt: new Date('2026-01-15T09:30:00Z'),
      connectionToken: `ct_${chars(40, `a8F3kLq9Zx${i}`)}`,
      idProject: '8d0c5a7e-1b2f-4c3d-9e8f-a1b2c3d4e5f6',
      idLinkedUser: `user-${i % 5000}`,
    },
  ]),
);
const envelopes = [];
for await (const [key, value] of store.entries('r:')) envelopes.push([key.slice(2), value]);
const keyring = createKeyring([next, old]);
const contexts = envelopes.map(([id]) => [wrapContext(old.kid, 'r', id), wrapContext(next.kid, 'r', id)]);
const wrapped = envelopes.map(([, stored]) => fromBase64url(splitEnvelope(stored).wrappedKey));

const cases = {
  none: async () => {},
  rewrap: async (i) => {
    const [id, stored] = envelopes[i % SAMPLE];
    return rewrapRecord(keyring, 'r', id, stored);
  },
  floor: async (i) => {
    const [from, to] = contexts[i % SAMPLE];
    return keyring.wrap(next.kid, keyring.unwrap(old.kid, wrapped[i % SAMPLE], from), to);
  },
  'floor-parsed': async (i) => {
    const [id, stored] = envelopes[i % SAMPLE];
    const texts = splitEnvelope(stored);
    const dek = keyring.unwrap(texts.kid, fromBase64url(texts.wrappedKey), wrapContext(texts.kid, 'r', id));
    const head = `cv1.${next.kid}.${toBase64url(keyring.wrap(next.kid, dek, wrapContext(next.kid, 'r', id)))}`;
    dek.fill(0);
    return head;
  },
};
const run = cases[which];
if (run === undefined) throw new Error(`unknown case ${which}`);
// Warm-up (the JIT settles) is part of both runs alike, so it cancels out in the difference.
for (let i = 0; i < 3000; i++) await run(i);
let sink = 0;
for (let i = 0; i < n; i++) sink += (await run(i))?.length ?? 0;
if (sink < 0) console.log(sink);
