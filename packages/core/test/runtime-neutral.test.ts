import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const src = join(import.meta.dirname, '../src');
const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'));
/** The files only the `node` condition selects (through `#aead-native` and `#base64-native`). */
const nodeOnly = ['crypto/aead-native.ts', 'crypto/base64-native.ts'];
/** The code of a file without its comments (TSDoc may name node:crypto or Buffer). */
const code = (file: string) =>
  readFileSync(join(src, file), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"`])\/\/.*$/gm, '$1');

describe('core is runtime-neutral', () => {
  it('finds the sources', () => {
    expect(files).toContain('crypto/aead.ts');
    expect(files.length).toBeGreaterThan(20);
  });

  it.each(files.filter((file) => !nodeOnly.includes(file)))('%s uses no Buffer and no NodeJS types', (file) => {
    expect(code(file)).not.toMatch(/\bBuffer\b|\bNodeJS\./);
  });

  it('imports node: modules only in aead-native.ts and base64-native.ts, the files the `node` condition selects', () => {
    const importers = files.filter((file) => /from ['"]node:|import\(['"]node:/.test(code(file)));
    expect(importers.map((file) => relative('.', file)).sort()).toEqual(nodeOnly);
    const manifest = JSON.parse(readFileSync(join(src, '../package.json'), 'utf8')) as {
      imports: Record<string, Record<string, unknown>>;
      publishConfig: { imports: Record<string, Record<string, unknown>> };
    };
    for (const imports of [manifest.imports, manifest.publishConfig.imports]) {
      expect(imports['#aead-native']).toMatchObject({
        node: './dist/crypto/aead-native.js',
        default: './dist/crypto/aead-none.js',
      });
      expect(imports['#base64-native']).toMatchObject({
        node: './dist/crypto/base64-native.js',
        default: './dist/crypto/base64-none.js',
      });
    }
  });
});
