import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// SWC compiles the tests so that NestJS gets real decorator metadata (esbuild emits none).
export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  // `@gavel/<lib>` → libs/<lib>/src/index.ts, as tsconfig.json `paths` says.
  resolve: { alias: [{ find: /^@gavel\/([a-z0-9-]+)$/, replacement: fileURLToPath(new URL('./libs/$1/src/index.ts', import.meta.url)) }] },
  test: {
    include: ['apps/**/*.spec.ts', 'libs/**/*.spec.ts', 'lambdas/**/*.spec.ts', 'infra/**/*.spec.ts', 'test/**/*.test.ts', 'scripts/**/*.spec.ts', 'bench/**/*.spec.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
