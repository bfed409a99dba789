/**
 * Builds the publishable `@gavel/client` package into dist/client: one minified ESM bundle (esbuild), its
 * type declarations (tsc) and libs/client/package.json; prints the bundle's minified and gzip size (budget
 * 8 KB gzip). `npm publish dist/client` publishes it.
 */
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import ts from 'typescript';

const GZIP_BUDGET_BYTES = 8 * 1024;

// Compiled to dist/scripts/build-client.js the repository is two levels up; run from source (tests), one.
const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, basename(dirname(here)) === 'dist' ? '../..' : '..');
const source = join(repoRoot, 'libs/client/src');

export interface ClientBuildReport {
  outdir: string;
  bytes: number;
  gzipBytes: number;
}

export async function buildClient(outdir = join(repoRoot, 'dist/client')): Promise<ClientBuildReport> {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  await build({
    entryPoints: [join(source, 'index.ts')],
    outfile: join(outdir, 'index.js'),
    bundle: true,
    format: 'esm',
    // Browsers, React Native (Hermes) and Node alike: nothing platform-specific is imported.
    platform: 'neutral',
    target: 'es2020',
    minify: true,
    sourcemap: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  emitDeclarations(outdir);
  copyFileSync(join(repoRoot, 'libs/client/package.json'), join(outdir, 'package.json'));
  const code = readFileSync(join(outdir, 'index.js'));
  return { outdir, bytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length };
}

function emitDeclarations(outdir: string): void {
  const files = ['index.ts', 'client.ts', 'jwt.ts', 'protocol.ts'].map((file) => join(source, file));
  const program = ts.createProgram(files, {
    declaration: true,
    emitDeclarationOnly: true,
    outDir: outdir,
    rootDir: source,
    target: ts.ScriptTarget.ES2020,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    skipLibCheck: true,
    // Without DOM or Node types: the package must compile for React Native too.
    lib: ['lib.es2020.d.ts'],
    types: [],
  });
  const emitted = program.emit();
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics];
  if (diagnostics.length > 0)
    throw new Error(
      ts.formatDiagnostics(diagnostics, {
        getCanonicalFileName: (name) => name,
        getCurrentDirectory: () => repoRoot,
        getNewLine: () => '\n',
      }),
    );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { bytes, gzipBytes } = await buildClient();
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  const verdict = gzipBytes <= GZIP_BUDGET_BYTES ? 'within' : 'OVER';
  console.log(
    `@gavel/client → dist/client (index.js ${kb(bytes)} minified, ${kb(gzipBytes)} gzip; ${verdict} the ${kb(GZIP_BUDGET_BYTES)} gzip budget)`,
  );
  if (gzipBytes > GZIP_BUDGET_BYTES) process.exitCode = 1;
}
