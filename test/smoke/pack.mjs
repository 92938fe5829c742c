// Packs every published package (packages/*) with pnpm, which applies publishConfig and turns
// workspace: ranges into versions, into one directory. Returns { name: tarballPath }.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const root = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');

/** The published packages: every packages/* that is not private. */
export function publishedPackages() {
  return readdirSync(join(root, 'packages'))
    .map((dir) => ({
      dir: join(root, 'packages', dir),
      manifest: JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')),
    }))
    .filter(({ manifest }) => manifest.private !== true);
}

/** Packs them all into `destination` and maps each package name to its tarball. */
export function packAll(destination) {
  const packages = publishedPackages();
  execFileSync(
    'npx',
    ['-y', 'pnpm@10.34.9', '-r', '--filter', './packages/*', 'pack', '--pack-destination', destination],
    {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const tarballs = {};
  for (const { manifest } of packages) {
    tarballs[manifest.name] = join(
      destination,
      `${manifest.name.replace('@', '').replace('/', '-')}-${manifest.version}.tgz`,
    );
  }
  return tarballs;
}
