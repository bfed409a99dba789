/**
 * Bundles the browser client (apps/web) with esbuild into dist/web/{index.html, app.js, app.css}.
 * The API serves that folder at `/`; any static host (S3 + CloudFront) can serve it too.
 */
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const outdir = join(root, 'dist/web');

export async function buildWeb(options: { minify?: boolean } = {}): Promise<{ bytes: Record<string, number> }> {
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  const result = await build({
    entryPoints: [
      { in: join(root, 'apps/web/src/main.ts'), out: 'app' },
      { in: join(root, 'apps/web/src/app.css'), out: 'app' },
    ],
    outdir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    // Evergreen browsers of the last few years: esbuild lowers anything newer.
    target: ['chrome109', 'firefox115', 'safari16', 'edge109'],
    minify: options.minify ?? true,
    sourcemap: true,
    metafile: true,
    legalComments: 'linked',
    logLevel: 'warning',
  });
  await copyFile(join(root, 'apps/web/index.html'), join(outdir, 'index.html'));
  const bytes: Record<string, number> = {};
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    if (!file.endsWith('.map')) bytes[file.replace(/^.*dist\/web\//, '')] = output.bytes;
  }
  return { bytes };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { bytes } = await buildWeb();
  const sizes = Object.entries(bytes)
    .map(([file, n]) => `${file} ${(n / 1024).toFixed(1)} KB`)
    .join(', ');
  console.log(`web client → dist/web (${sizes})`);
}
