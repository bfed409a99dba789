/**
 * Bundles each route's Lambda (lambdas/<handler>/handler.ts) with esbuild into one ESM file,
 * dist/lambdas/<handler>/index.mjs — what infra/ deploys and what the local gateway runs — then
 * reports each bundle's size and the time a fresh Node process takes to import it (the cold start
 * the bundle itself adds).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { routes } from '../lambdas/routes.js';

/** Targets from the task: small enough that a cold start is dominated by the runtime, not our code. */
const SIZE_BUDGET_BYTES = 50 * 1024;
const IMPORT_BUDGET_MS = 30;

// Compiled to dist/scripts/build-lambdas.js: the repository is two levels up.
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const outRoot = join(repoRoot, 'dist', 'lambdas');
// Metafiles (for esbuild's analyzer) live outside the bundle folders, which infra/ uploads whole.
const metaRoot = join(repoRoot, 'dist', 'lambda-meta');

export interface BundleReport {
  handler: string;
  file: string;
  bytes: number;
  gzipBytes: number;
  coldImportMs: number;
}

export async function buildLambdas(): Promise<BundleReport[]> {
  const handlers = [...new Set(routes.map((route) => route.handler))];
  const reports: BundleReport[] = [];
  for (const handler of handlers) {
    const outfile = join(outRoot, handler, 'index.mjs');
    mkdirSync(dirname(outfile), { recursive: true });
    const result = await build({
      entryPoints: [join(repoRoot, 'lambdas', handler, 'handler.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      minify: true,
      sourcemap: 'linked',
      metafile: true,
      // The Lambda runtime provides the AWS SDK v3; a bundle must never carry its own copy.
      external: ['@aws-sdk/*'],
      legalComments: 'none',
      logLevel: 'warning',
    });
    mkdirSync(metaRoot, { recursive: true });
    writeFileSync(join(metaRoot, `${handler}.json`), JSON.stringify(result.metafile));
    const bytes = statSync(outfile).size;
    reports.push({
      handler,
      file: relative(repoRoot, outfile),
      bytes,
      gzipBytes: gzipSync(readFileSync(outfile)).length,
      coldImportMs: coldImportMs(outfile),
    });
  }
  return reports;
}

/** Imports the bundle in a fresh Node process (median of 3), with the environment a Lambda gets. */
function coldImportMs(file: string): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(file)}); process.stdout.write(String(performance.now() - t));`;
  const env = {
    ...process.env,
    API_BASE_URL: 'http://127.0.0.1:3000',
    GATEWAY_API_KEY: 'measure-only',
    API_SETTINGS_SECRET_ID: '',
  };
  const runs = [0, 1, 2].map(() =>
    Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8' })),
  );
  return runs.sort((a, b) => a - b)[1]!;
}

function printReport(reports: BundleReport[]): void {
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  console.log('Lambda bundles (esbuild, ESM, node22, minified):');
  for (const r of reports) {
    const flags = [
      r.bytes > SIZE_BUDGET_BYTES && `over ${kb(SIZE_BUDGET_BYTES)}`,
      r.coldImportMs > IMPORT_BUDGET_MS && `import over ${IMPORT_BUDGET_MS} ms`,
    ].filter(Boolean);
    console.log(
      `  ${r.handler.padEnd(12)} ${kb(r.bytes).padStart(9)} (${kb(r.gzipBytes)} gzip)  cold import ${r.coldImportMs.toFixed(1)} ms  ${r.file}${flags.length ? `  ⚠ ${flags.join(', ')}` : ''}`,
    );
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const reports = await buildLambdas();
  if (!process.argv.includes('--quiet')) printReport(reports);
}
