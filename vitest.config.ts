import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript source through the `@credvault/source`
// export condition, so tests need no build and never mix src and dist copies of a class.
const conditions = ['@credvault/source', 'node', 'import', 'module', 'default'];
// Vitest passes the SSR conditions to its workers as `node --conditions`. `import` must not be
// among them: node would then hand `require()` the ESM build of dual packages (pg requiring
// pg-pool gets a module namespace, not the Pool class). Vite adds `import` to ESM imports itself.
// Nor `module`: the AWS SDK lists it first, and node would load its bundler-only ES build.
const ssrConditions = conditions.filter((condition) => condition !== 'import' && condition !== 'module');

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions: ssrConditions, externalConditions: ['@credvault/source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
