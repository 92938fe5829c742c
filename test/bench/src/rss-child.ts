// Rotates one namespace in a fresh process and prints its peak RSS.
import { connectionSchema, createVault, keyringFromEnv } from '@credvault/core';
import { openSpec } from './spec.js';

const [spec, namespace] = process.argv.slice(2) as [string, string];
const vault = createVault({ store: openSpec(spec), keyring: keyringFromEnv(), schema: connectionSchema, namespace });
const report = await vault.rotate({ batchSize: 500 });
await vault.close();
console.log(JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS, rewrapped: report.rewrapped }));
