// One process of a joined rotation (`rotate({ join })`) for the bench: opens the vault, prints
// `ready`, waits for a line on stdin, rotates its share of run `<runId>` in one thread (no pool:
// each process stands for one machine's core), and prints what it did as JSON.
import { createInterface } from 'node:readline';
import { connectionSchema, createVault, keyringFromEnv } from '@credvault/core';
import { openSpec } from './spec.js';

const [spec, namespace, runId] = process.argv.slice(2) as [string, string, string];
const vault = createVault({ store: openSpec(spec), keyring: keyringFromEnv(), schema: connectionSchema, namespace });
await vault.status(); // connected and warm before the clock starts
process.stdout.write('ready\n');
const lines = createInterface({ input: process.stdin });
await new Promise((resolve) => lines.once('line', resolve));
const started = performance.now();
const report = await vault.rotate({ join: { runId, rangeSize: 1000, leaseMs: 10_000 } });
const ms = performance.now() - started;
lines.close();
await vault.close();
process.stdout.write(`${JSON.stringify({ ms, rewrapped: report.rewrapped, mine: report.join?.mine })}\n`);
