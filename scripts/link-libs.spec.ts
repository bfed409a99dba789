import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { linkLibs } from './link-libs.js';

describe('linkLibs', () => {
  it('lets compiled code anywhere under dist/ import a compiled lib as @gavel/<lib>', () => {
    const dist = mkdtempSync(join(tmpdir(), 'gavel-link-libs-'));
    // The real dist/ sits under the project's package.json ("type": "module").
    writeFileSync(join(dist, 'package.json'), '{"type":"module"}');
    mkdirSync(join(dist, 'libs', 'sample', 'src'), { recursive: true });
    writeFileSync(join(dist, 'libs', 'sample', 'src', 'index.js'), 'export const ANSWER = 42;\n');
    mkdirSync(join(dist, 'libs', 'no-index'), { recursive: true });
    mkdirSync(join(dist, 'apps', 'api', 'src'), { recursive: true });
    const importer = join(dist, 'apps', 'api', 'src', 'uses-lib.mjs');
    writeFileSync(importer, "export { ANSWER } from '@gavel/sample';\n");

    expect(linkLibs(dist)).toEqual(['@gavel/sample']);
    // Plain Node, as `node dist/...` runs it (vitest would apply its own alias).
    const script = `const m = await import(${JSON.stringify(pathToFileURL(importer).href)}); process.stdout.write(String(m.ANSWER));`;
    expect(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })).toBe('42');
  });
});
