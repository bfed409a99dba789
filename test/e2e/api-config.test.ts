/**
 * Start-up configuration end to end: the compiled API process refuses a production start with a dev
 * secret (naming the variable), and in development serves /health and /docs after migrating and seeding.
 * Development mode is for one machine: HOST defaults to loopback, and on any other address the dev secrets
 * and the demo logins are refused.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from '@jest/globals';
import { expect } from '../support/expect.js';
import { createApp } from '../../apps/api/src/app.factory.js';
import { DEV_DEFAULTS } from '@gavel/config';
import { ConfigValidationError } from '../../apps/api/src/config/env.js';
import { databaseKinds, freshDatabase } from '../support/databases.js';
import { freePort } from '../support/ports.js';
import { ensureBuilt } from '../support/stack.js';

const repoRoot = resolve(import.meta.dirname, '../..');
const mainJs = resolve(repoRoot, 'dist/apps/api/src/main.js');

/** Runs the compiled API; resolves with its exit code and output, or when `until` matches the output. */
function runApi(
  env: Record<string, string>,
  until?: (output: string) => boolean,
): Promise<{ code: number | null; output: string; pid: number; stop: () => Promise<void> }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [mainJs], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pid = child.pid!;
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
        resolvePromise({ code: null, output, pid, stop });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, output, pid, stop });
    });
  });
}

describe('API start-up configuration', () => {
  it('createApp refuses production with a development secret, naming it', async () => {
    const attempt = createApp({
      env: {
        NODE_ENV: 'production',
        JWT_SECRET: DEV_DEFAULTS.JWT_SECRET,
        GATEWAY_API_KEY: 'a-real-gateway-key-0001',
        SERVICE_API_KEY: 'a-real-service-key-0001',
        DATABASE_URL: 'sqlite::memory:',
      },
    });
    await expect(attempt).rejects.toBeInstanceOf(ConfigValidationError);
    await expect(attempt).rejects.toThrow(/JWT_SECRET is the development default/);
  });

  it('the compiled process exits 1 on a production start with a dev secret, naming every bad variable', async () => {
    await ensureBuilt();
    const { code, output } = await runApi({
      NODE_ENV: 'production',
      JWT_SECRET: 'a-production-secret-of-at-least-32-chars',
      GATEWAY_API_KEY: DEV_DEFAULTS.GATEWAY_API_KEY,
    });
    expect(code).toBe(1);
    expect(output).toContain('GATEWAY_API_KEY is the development default');
    expect(output).toContain('SERVICE_API_KEY is required when NODE_ENV=production');
    expect(output).not.toContain('listening');
  });

  it('the compiled process migrates, seeds the demo users in development and serves /health and /docs', async () => {
    await ensureBuilt();
    const database = await freshDatabase('sqlite');
    const port = await freePort();
    const run = await runApi(
      { NODE_ENV: 'development', PORT: String(port), DATABASE_URL: database.url, APIGW_ENDPOINT: 'http://127.0.0.1:9' },
      (output) => output.includes('API listening'),
    );
    try {
      expect(run.output).toContain('alice@gavel.test');
      expect(run.output).toContain('Applied migrations');
      // Development prints Nest's readable console lines, not JSON (LOG_FORMAT's default there).
      expect(run.output).toContain('[NestFactory]');
      expect(run.output.split('\n').filter((l) => l.startsWith('{"level"'))).toEqual([]);
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      expect(health.status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/docs`)).status).toBe(200);
      const login = await fetch(`http://127.0.0.1:${port}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'admin@gavel.test', password: 'gavel-demo' }),
      });
      expect(login.status).toBe(200);
    } finally {
      await run.stop();
      await database.drop();
    }
  });
});

const SECRETS = {
  JWT_SECRET: 'a-secret-chosen-by-the-operator-32-chars',
  GATEWAY_API_KEY: 'operator-gateway-key-01',
  SERVICE_API_KEY: 'operator-service-key-01',
};
const listening = (output: string) => output.includes('API listening');
const login = (port: number, email: string, password: string) =>
  fetch(`http://127.0.0.1:${port}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });

/** Local addresses (hex, as the kernel lists them) of the TCP sockets listening on `port`. */
function listeningAddresses(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const found: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.trim().split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      const [address, localPort] = local!.split(':');
      if (localPort === hexPort && state === '0A') found.push(address!);
    }
  }
  return found;
}

describe('development mode is for one machine', () => {
  const REFUSED = (name: string, host: string) =>
    `${name}: the development default is refused because HOST=${host} is not a loopback address; set it explicitly`;

  it('listens on 127.0.0.1 only when HOST is not set', async () => {
    await ensureBuilt();
    const database = await freshDatabase('sqlite');
    const port = await freePort();
    const run = await runApi(
      {
        NODE_ENV: 'test',
        ...SECRETS,
        PORT: String(port),
        DATABASE_URL: database.url,
        APIGW_ENDPOINT: 'http://127.0.0.1:9',
      },
      listening,
    );
    try {
      expect(run.code).toBeNull();
      // 0100007F is 127.0.0.1 as /proc/net/tcp writes it; every interface would be 00000000 (or :: in tcp6).
      expect(listeningAddresses(port)).toEqual(['0100007F']);
      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    } finally {
      await run.stop();
      await database.drop();
    }
  });

  it('refuses to start on HOST=0.0.0.0 with no secrets set, naming each variable', async () => {
    await ensureBuilt();
    const database = await freshDatabase('sqlite');
    const port = await freePort();
    const run = await runApi({ HOST: '0.0.0.0', PORT: String(port), DATABASE_URL: database.url }, listening);
    await run.stop();
    await database.drop();
    expect(run.code).toBe(1);
    for (const name of ['JWT_SECRET', 'GATEWAY_API_KEY', 'SERVICE_API_KEY'])
      expect(run.output).toContain(REFUSED(name, '0.0.0.0'));
    expect(run.output).not.toContain('listening');
  });

  it('refuses the same with NODE_ENV unset and a MySQL database, before seeding anything', async () => {
    await ensureBuilt();
    const database = process.env.TEST_MYSQL_URL ? await freshDatabase('mysql') : undefined;
    const port = await freePort();
    const run = await runApi(
      {
        HOST: '0.0.0.0',
        PORT: String(port),
        DATABASE_URL: database?.url ?? 'mysql://gavel:pw@127.0.0.1:9/gavel',
        APIGW_ENDPOINT: 'http://127.0.0.1:9',
      },
      listening,
    );
    await run.stop();
    await database?.drop();
    expect(run.code).toBe(1);
    for (const name of ['JWT_SECRET', 'GATEWAY_API_KEY', 'SERVICE_API_KEY'])
      expect(run.output).toContain(REFUSED(name, '0.0.0.0'));
    expect(run.output).not.toContain('gavel-demo');
  });

  for (const kind of databaseKinds()) {
    it(`with secrets set on HOST=0.0.0.0, development seeds no demo login (${kind})`, async () => {
      await ensureBuilt();
      const database = await freshDatabase(kind);
      const port = await freePort();
      const run = await runApi(
        {
          HOST: '0.0.0.0',
          ...SECRETS,
          PORT: String(port),
          DATABASE_URL: database.url,
          APIGW_ENDPOINT: 'http://127.0.0.1:9',
        },
        listening,
      );
      try {
        expect(run.code).toBeNull();
        expect(run.output).not.toContain('gavel-demo');
        for (const email of ['admin@gavel.test', 'alice@gavel.test'])
          expect((await login(port, email, 'gavel-demo')).status, email).toBe(401);
      } finally {
        await run.stop();
        await database.drop();
      }
    });

    it(`refuses HOST=0.0.0.0 while a demo login of an earlier development run keeps the published password (${kind})`, async () => {
      await ensureBuilt();
      const database = await freshDatabase(kind);
      const port = await freePort();
      try {
        const seeding = await runApi(
          { PORT: String(port), DATABASE_URL: database.url, APIGW_ENDPOINT: 'http://127.0.0.1:9' },
          listening,
        );
        await seeding.stop();
        expect(seeding.output).toContain('admin@gavel.test');
        const exposed = await runApi(
          {
            HOST: '0.0.0.0',
            ...SECRETS,
            PORT: String(port),
            DATABASE_URL: database.url,
            APIGW_ENDPOINT: 'http://127.0.0.1:9',
          },
          listening,
        );
        await exposed.stop();
        expect(exposed.code).toBe(1);
        expect(exposed.output).toContain(
          'alice@gavel.test, bob@gavel.test, admin@gavel.test still accept the published demo password',
        );
        expect(exposed.output).toContain('HOST=0.0.0.0 is not a loopback address');
      } finally {
        await database.drop();
      }
    });
  }

  it('serves /docs in production only with API_DOCS=true', async () => {
    await ensureBuilt();
    const statuses: Record<string, number> = {};
    for (const apiDocs of ['', 'true']) {
      const database = await freshDatabase('sqlite');
      const port = await freePort();
      const run = await runApi(
        {
          NODE_ENV: 'production',
          ...SECRETS,
          API_DOCS: apiDocs,
          PORT: String(port),
          DATABASE_URL: database.url,
          APIGW_ENDPOINT: 'http://127.0.0.1:9',
        },
        listening,
      );
      try {
        expect(run.code).toBeNull();
        statuses[apiDocs || 'unset'] = (await fetch(`http://127.0.0.1:${port}/docs`)).status;
        expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
      } finally {
        await run.stop();
        await database.drop();
      }
    }
    expect(statuses).toEqual({ unset: 404, true: 200 });
  });
});
