/**
 * Bundles the real route handlers once per test file, the way the build does (esbuild, ESM, one
 * `index.mjs` per handler), so the stack tests synthesize what would be deployed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const repoRoot = resolve(import.meta.dirname, '../..');

export async function bundleHandlersForTest(handlers: readonly string[]): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'gavel-lambda-bundles-'));
  await Promise.all(
    handlers.map((handler) =>
      build({
        entryPoints: [join(repoRoot, 'lambdas', handler, 'handler.ts')],
        outfile: join(root, handler, 'index.mjs'),
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node22',
        // The Lambda runtime ships the AWS SDK v3; a handler that imports it must not carry a copy.
        external: ['@aws-sdk/*'],
        logLevel: 'silent',
      }),
    ),
  );
  return root;
}
