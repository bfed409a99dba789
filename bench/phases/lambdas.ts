/** Each Lambda bundle's size and the time a fresh Node process takes to import it (the cold start our code adds). */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LambdaFigures } from '../results-schema.js';
import { median } from '../stats.js';

const IMPORTS_PER_BUNDLE = 7;

export function measureLambdas(): LambdaFigures[] {
  const root = fileURLToPath(new URL('../../lambdas/', import.meta.url));
  if (!existsSync(root)) return [];
  const bundles = readdirSync(root)
    .map((name) => ({ name, file: join(root, name, 'index.mjs') }))
    .filter((bundle) => existsSync(bundle.file));
  return bundles.map(({ name, file }) => ({ name, bytes: statSync(file).size, coldImportMs: coldImportMs(file) }));
}

function coldImportMs(file: string): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(file)}); process.stdout.write(String(performance.now() - t));`;
  // The environment a local Lambda gets; the values only have to be present (bundles check them at cold start).
  const env = {
    ...process.env,
    API_BASE_URL: 'http://127.0.0.1:9',
    GATEWAY_API_KEY: 'cold-import-measurement',
    API_SETTINGS_SECRET_ID: '',
  };
  const samples = Array.from({ length: IMPORTS_PER_BUNDLE }, () =>
    Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8' })),
  );
  return median(samples);
}
