import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript source through the `@credvault/source`
// export condition, so tests need no build and never mix src and dist copies of a class.
const conditions = ['@credvault/source', 'node', 'import', 'module', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@credvault/source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
