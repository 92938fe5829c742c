// Packs every package and checks what a user would download: publint and
// @arethetypeswrong/cli (ESM-only profile) on each tarball, then the file list and manifest:
// dist and types only (no src, no source maps, no stale build output), README (install line,
// license, link to the main docs) and LICENSE,
// no @credvault/source condition, no workspace: range. Exits 1 on any problem.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packAll, publishedPackages, root } from './pack.mjs';

const out = mkdtempSync(join(tmpdir(), 'credvault-packs-'));
const problems = [];
try {
  const tarballs = packAll(out);
  for (const { dir, manifest } of publishedPackages()) {
    const tarball = tarballs[manifest.name];
    const fail = (what) => problems.push(`${manifest.name}: ${what}`);
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n');
    for (const need of [
      'package/README.md',
      'package/LICENSE',
      'package/package.json',
      'package/dist/index.js',
      'package/dist/index.d.ts',
    ])
      if (!files.includes(need)) fail(`ships no ${need.slice('package/'.length)}`);
    for (const file of files) {
      const inPackage = file.slice('package/'.length);
      if (!['README.md', 'LICENSE', 'package.json'].includes(inPackage) && !inPackage.startsWith('dist/'))
        fail(`ships ${inPackage}`);
      if (inPackage.endsWith('.map') || inPackage.endsWith('.tsbuildinfo')) fail(`ships ${inPackage}`);
      const source = inPackage.replace(/^dist\//, 'src/').replace(/\.d\.ts$|\.js$/, '.ts');
      if (inPackage.startsWith('dist/') && !existsSync(join(dir, source)))
        fail(
          `ships ${inPackage}, left over from a source that is gone (pnpm clean, then pnpm build: clears dist, tsc's build info and turbo's cache, which can bring old files back)`,
        );
    }
    if (files.includes('package/README.md')) {
      const readme = execFileSync('tar', ['-xzOf', tarball, 'package/README.md'], { encoding: 'utf8' });
      if (!readme.includes(`npm install`) || !readme.includes(manifest.name)) fail('README has no install line');
      if (!/^## License/m.test(readme) || !readme.includes('MIT')) fail('README has no License section');
      if (!readme.includes('github.com/credvault/credvault')) fail('README has no link to the main docs');
    }
    const packed = execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' });
    if (packed.includes('@credvault/source')) fail('its package.json still has the @credvault/source condition');
    if (packed.includes('workspace:')) fail('its package.json still has a workspace: range');
    for (const field of ['description', 'keywords', 'homepage', 'bugs', 'repository', 'license', 'author']) {
      if (JSON.parse(packed)[field] === undefined) fail(`no "${field}" in package.json`);
    }
    const publint = spawnSync(join(root, 'node_modules/.bin/publint'), ['run', tarball, '--strict'], {
      encoding: 'utf8',
    });
    if (publint.status !== 0 || /warning|error|suggestion/i.test(publint.stdout))
      fail(`publint:\n${publint.stdout}${publint.stderr}`);
    const attw = spawnSync(
      join(root, 'node_modules/.bin/attw'),
      [tarball, '--profile', 'esm-only', '--no-emoji', '--no-color'],
      {
        encoding: 'utf8',
      },
    );
    if (attw.status !== 0) fail(`attw --profile esm-only:\n${attw.stdout}${attw.stderr}`);
    console.log(
      `${problems.some((p) => p.startsWith(`${manifest.name}:`)) ? 'FAIL' : 'ok  '} ${manifest.name} (${files.length} files)`,
    );
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
if (problems.length > 0) {
  console.error(`\n${problems.join('\n')}`);
  process.exit(1);
}
