/**
 * Makes `@gavel/<lib>` resolve in the compiled output. The sources import libs as `@gavel/<lib>` (tsconfig
 * `paths`: libs/<lib>/src/index.ts); tsc keeps that specifier, so Node running dist/ looks it up in a
 * node_modules folder. This writes dist/node_modules/@gavel/<lib>, a package that re-exports the compiled
 * lib (dist/libs/<lib>/src/index.js): everything under dist/ finds it, the Docker image included, and the
 * project's own node_modules stays untouched. esbuild bundles and vitest resolve `@gavel/*` from the sources.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// Compiled to dist/scripts/link-libs.js: dist/ is one level up.
const distRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export function linkLibs(dist = distRoot): string[] {
  const scopeDir = join(dist, 'node_modules', '@gavel');
  rmSync(scopeDir, { recursive: true, force: true });
  const libsDir = join(dist, 'libs');
  const linked: string[] = [];
  for (const lib of existsSync(libsDir) ? readdirSync(libsDir).sort() : []) {
    if (!existsSync(join(libsDir, lib, 'src', 'index.js'))) continue;
    const packageDir = join(scopeDir, lib);
    mkdirSync(packageDir, { recursive: true });
    writeFileSync(
      join(packageDir, 'package.json'),
      `${JSON.stringify({ name: `@gavel/${lib}`, private: true, type: 'module', exports: './index.js' }, null, 2)}\n`,
    );
    writeFileSync(join(packageDir, 'index.js'), `export * from '../../../libs/${lib}/src/index.js';\n`);
    linked.push(`@gavel/${lib}`);
  }
  return linked;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  linkLibs();
}
