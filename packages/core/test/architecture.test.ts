import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The rules ARCHITECTURE.md states for core's folders, checked on the sources: each folder is
 * reached from the others only through its index.ts, imports between folders go down the
 * layers only, and no file imports itself round a cycle.
 */
const src = join(import.meta.dirname, '../src');
/** Core's folders from the bottom up: a folder may import those before it. */
const LAYERS = ['errors', 'telemetry', 'crypto', 'keys', 'format', 'records', 'store', 'tenants', 'rotation', 'vault'];
/** Folders a folder may not import although they come before it (independent concerns). */
const APART: Record<string, readonly string[]> = { store: ['keys', 'format', 'records'] };

const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter(
  (file) => file.endsWith('.ts') && !file.endsWith('.d.ts'),
);
const folderOf = (file: string) => (file.includes(sep) ? (file.split(sep)[0] as string) : '');
/** The relative imports of a file, resolved to source files under src. */
const importsOf = (file: string): string[] =>
  [...readFileSync(join(src, file), 'utf8').matchAll(/from '(\.{1,2}\/[^']+)\.js'/g)].map((m) =>
    normalize(join(dirname(file), `${m[1]}.ts`)),
  );

describe("core's folders", () => {
  it('are the layers, and every source file is in one of them (but the root index.ts)', () => {
    const folders = new Set(files.map(folderOf));
    expect([...folders].sort()).toEqual(['', ...LAYERS].sort());
    expect(files.filter((file) => folderOf(file) === '')).toEqual(['index.ts']);
  });

  it.each(files)('%s imports other folders through their index.ts, and only downward', (file) => {
    const from = folderOf(file);
    for (const target of importsOf(file)) {
      const to = folderOf(target);
      if (to === from) continue;
      expect(target, `${file} reaches into ${target}`).toBe(join(to, 'index.ts'));
      if (from === '') continue; // the package's face re-exports every folder's
      expect(LAYERS.indexOf(to), `${file} imports ${to}, a layer above ${from}`).toBeLessThan(LAYERS.indexOf(from));
      expect(APART[from] ?? [], `${file} imports ${to}`).not.toContain(to);
    }
  });

  it('have no import cycle', () => {
    const graph = new Map(files.map((file) => [file, importsOf(file)]));
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...path.slice(path.indexOf(file)), file].map((f) => relative('.', f)).join(' -> '));
        return;
      }
      state.set(file, 'open');
      for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of files) visit(file, []);
    expect(cycles).toEqual([]);
  });
});
