import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { connectionSchema, createVault, formatKeyEntry, generateKey, keyvStore, parseKeyList } from '../src/index.js';

const CHROMIUM = '/usr/bin/chromium';
const available = (() => {
  if (existsSync(CHROMIUM)) return true;
  const message = `${CHROMIUM} is not installed: the browser bundle test cannot run (apt-get install -y chromium)`;
  if (process.env.CI) throw new Error(`${message}. CI must install it.`);
  console.warn(`\n${'!'.repeat(100)}\n!! SKIPPING THE BROWSER TEST: ${message}\n${'!'.repeat(100)}\n`);
  return false;
})();

const KEYS = formatKeyEntry('k1', generateKey());
const record = (id: string, secret: string) => ({
  idConnection: id,
  status: 'active' as const,
  providerSlug: 'hubspot',
  vertical: 'crm',
  accountUrl: 'https://example.com/account',
  tokenType: 'oauth2' as const,
  accessToken: `access-${secret}`,
  refreshToken: `refresh-${secret}`,
  expirationTimestamp: '2026-10-01T12:00:00Z',
  createdAt: '2026-10-01T12:00:00Z',
  connectionToken: `token-${secret}`,
  idProject: 'p1',
  idLinkedUser: 'u1',
});

// The page: opens what Node sealed, seals its own record, posts both back. Only web globals.
const PAGE_SCRIPT = `
import { connectionSchema, createVault, cryptoBackend, keyvStore, parseKeyList } from './src/index.ts';
const input = JSON.parse(document.getElementById('input').textContent);
const result = { hasProcess: typeof process !== 'undefined', hasBuffer: typeof Buffer !== 'undefined' };
try {
  const store = keyvStore();
  const vault = createVault({ store, keyring: parseKeyList(input.keys), schema: connectionSchema, namespace: 'b' });
  await store.set('b:from-node', input.sealedByNode);
  const opened = await vault.get('from-node');
  result.openedAccessToken = opened.accessToken;
  await vault.set('from-browser', input.browserRecord);
  result.sealedByBrowser = await store.get('b:from-browser');
  result.backend = cryptoBackend();
} catch (error) {
  result.error = String(error && error.stack || error);
}
await fetch('/result', { method: 'POST', body: JSON.stringify(result) });
`;

const dir = mkdtempSync(join(tmpdir(), 'credvault-browser-'));
let server: Server | undefined;
let chromium: ChildProcess | undefined;
afterAll(async () => {
  const browser = chromium;
  if (browser?.pid !== undefined && browser.exitCode === null) {
    const exited = once(browser, 'exit');
    process.kill(-browser.pid, 'SIGKILL'); // its own process group: the browser and its helpers
    await exited;
  }
  server?.close();
  rmSync(dir, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
});

describe('core in a browser', () => {
  it.skipIf(!available)(
    'bundles with esbuild for the browser (no node:crypto, no node:buffer), seals and opens in headless Chromium, byte-compatible with Node',
    async () => {
      const bundle = await build({
        stdin: { contents: PAGE_SCRIPT, resolveDir: join(import.meta.dirname, '..'), loader: 'js' },
        bundle: true,
        write: false,
        format: 'esm',
        platform: 'browser',
        target: 'es2022',
        conditions: ['@credvault/source'],
        logLevel: 'silent',
      });
      const code = bundle.outputFiles[0]?.text ?? '';
      expect(code).not.toMatch(/node:crypto|node:buffer|createCipheriv/);

      // Node seals one record for the browser to open.
      const nodeStore = keyvStore();
      const nodeVault = createVault({
        store: nodeStore,
        keyring: parseKeyList(KEYS),
        schema: connectionSchema,
        namespace: 'b',
      });
      await nodeVault.set('from-node', record('from-node', 'sealed-by-node'));
      const input = {
        keys: KEYS,
        sealedByNode: await nodeStore.get('b:from-node'),
        browserRecord: record('from-browser', 'sealed-by-browser'),
      };
      const html = `<!doctype html><script type="application/json" id="input">${JSON.stringify(input)}</script><script type="module" src="/bundle.js"></script>`;

      let resolvePosted: (result: Record<string, unknown>) => void = () => {};
      const posted = new Promise<Record<string, unknown>>((resolve) => {
        resolvePosted = resolve;
      });
      const http = createServer((request, response) => {
        if (request.method === 'POST' && request.url === '/result') {
          let body = '';
          request.on('data', (chunk: Buffer) => {
            body += chunk.toString('utf8');
          });
          request.on('end', () => {
            response.end('ok');
            resolvePosted(JSON.parse(body) as Record<string, unknown>);
          });
          return;
        }
        const js = request.url === '/bundle.js';
        response.writeHead(js || request.url === '/' ? 200 : 404, {
          'content-type': js ? 'text/javascript' : 'text/html',
        });
        response.end(js ? code : request.url === '/' ? html : '');
      });
      server = http;
      await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
      const { port } = http.address() as { port: number };
      chromium = spawn(
        CHROMIUM,
        [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          `--user-data-dir=${join(dir, 'profile')}`,
          `http://127.0.0.1:${port}/`,
        ],
        { stdio: 'ignore', detached: true },
      );
      const result = await posted;

      expect(result.error).toBeUndefined();
      expect(result).toMatchObject({ hasProcess: false, hasBuffer: false, backend: 'pure' });
      expect(result.openedAccessToken).toBe('access-sealed-by-node');
      // Node opens what the browser sealed.
      expect(typeof result.sealedByBrowser).toBe('string');
      expect(result.sealedByBrowser).not.toContain('sealed-by-browser');
      await nodeStore.set('b:from-browser', result.sealedByBrowser as string);
      expect(await nodeVault.get('from-browser')).toMatchObject({
        accessToken: 'access-sealed-by-browser',
        refreshToken: 'refresh-sealed-by-browser',
        connectionToken: 'token-sealed-by-browser',
      });
    },
    90_000,
  );
});
