import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';
import { WebSocket } from 'ws';
import { buildClient } from './build-client.js';

describe('buildClient', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'gavel-client-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('bundles @gavel/client into one self-contained ESM file with types, within 8 KB gzip', async () => {
    const report = await buildClient(outdir);
    expect(report.gzipBytes).toBeGreaterThan(1000);
    expect(report.gzipBytes).toBeLessThanOrEqual(8 * 1024);
    const code = readFileSync(join(outdir, 'index.js'), 'utf8');
    // No runtime dependency: nothing is imported, not even ws.
    expect(code).not.toMatch(/\bimport\s*[{*"'\w]|\brequire\(/);
    const manifest = JSON.parse(readFileSync(join(outdir, 'package.json'), 'utf8'));
    expect(manifest).toMatchObject({ name: '@gavel/client', type: 'module' });
    expect(manifest.dependencies).toBeUndefined();
    for (const file of [manifest.exports['.'].import, manifest.exports['.'].types])
      expect(existsSync(join(outdir, file))).toBe(true);
    expect(readFileSync(join(outdir, 'index.d.ts'), 'utf8')).toContain('connect');
    const bundle = await import(pathToFileURL(join(outdir, 'index.js')).href);
    expect(typeof bundle.connect).toBe('function');
    const options = { url: 'ws://127.0.0.1:9', getToken: () => null, autoStart: false };
    // Node 20 has no global WebSocket: a clear error, and `ws` passed in works.
    if (!('WebSocket' in globalThis))
      expect(() => bundle.connect(options)).toThrow(/pass one: connect\(\{ WebSocket \}\)/);
    expect(bundle.connect({ ...options, WebSocket }).status).toBe('stopped');
  }, 60_000);
});
