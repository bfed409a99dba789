/**
 * Start-up configuration end to end: the compiled API process refuses a production start with a dev
 * secret (naming the variable), and in development serves /health and /docs after migrating and seeding.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { createApp } from '../../apps/api/src/app.factory.js';
import { DEV_DEFAULTS } from '../../apps/api/src/config/dev-defaults.js';
import { ConfigValidationError } from '../../apps/api/src/config/env.js';
import { freshDatabase } from '../support/databases.js';
import { freePort } from '../support/ports.js';
import { ensureBuilt } from '../support/stack.js';

const repoRoot = resolve(import.meta.dirname, '../..');
const mainJs = resolve(repoRoot, 'dist/apps/api/src/main.js');

/** Runs the compiled API; resolves with its exit code and output, or when `until` matches the output. */
function runApi(env: Record<string, string>, until?: (output: string) => boolean): Promise<{ code: number | null; output: string; stop: () => Promise<void> }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [mainJs], { cwd: repoRoot, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const stop = () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`API did not finish in time:\n${output}`));
    }, 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (until?.(output)) {
        clearTimeout(timer);
        resolvePromise({ code: null, output, stop });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, output, stop });
    });
  });
}

describe('API start-up configuration', () => {
  it('createApp refuses production with a development secret, naming it', async () => {
    const attempt = createApp({ env: { NODE_ENV: 'production', JWT_SECRET: DEV_DEFAULTS.JWT_SECRET, GATEWAY_API_KEY: 'a-real-gateway-key-0001', SERVICE_API_KEY: 'a-real-service-key-0001', DATABASE_URL: 'sqlite::memory:' } });
    await expect(attempt).rejects.toBeInstanceOf(ConfigValidationError);
    await expect(attempt).rejects.toThrow(/JWT_SECRET is the development default/);
  });

  it('the compiled process exits 1 on a production start with a dev secret, naming every bad variable', async () => {
    await ensureBuilt();
    const { code, output } = await runApi({ NODE_ENV: 'production', JWT_SECRET: 'a-production-secret-of-at-least-32-chars', GATEWAY_API_KEY: DEV_DEFAULTS.GATEWAY_API_KEY });
    expect(code).toBe(1);
    expect(output).toContain('GATEWAY_API_KEY is the development default');
    expect(output).toContain('SERVICE_API_KEY is required when NODE_ENV=production');
    expect(output).not.toContain('listening');
  });

  it('the compiled process migrates, seeds the demo users in development and serves /health and /docs', async () => {
    await ensureBuilt();
    const database = await freshDatabase('sqlite');
    const port = await freePort();
    const run = await runApi({ NODE_ENV: 'development', PORT: String(port), DATABASE_URL: database.url, APIGW_ENDPOINT: 'http://127.0.0.1:9' }, (output) => output.includes('API listening'));
    try {
      expect(run.output).toContain('alice@gavel.test');
      expect(run.output).toContain('Applied migrations');
      // Structured JSON logs.
      for (const line of run.output.trim().split('\n').filter((l) => l.startsWith('{'))) expect(() => JSON.parse(line)).not.toThrow();
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      expect(health.status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/docs`)).status).toBe(200);
      const login = await fetch(`http://127.0.0.1:${port}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@gavel.test', password: 'gavel-demo' }) });
      expect(login.status).toBe(200);
    } finally {
      await run.stop();
      await database.drop();
    }
  });
});
