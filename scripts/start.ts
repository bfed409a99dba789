/**
 * `npm start`: runs the API and the local API Gateway as child processes with prefixed output, waits
 * until both answer, then prints the URLs, the demo logins and how to talk to the stack.
 * Ctrl-C (SIGINT) or SIGTERM stops both; if one dies, the other is stopped and the exit code is non-zero.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { DEMO_PASSWORD, DEMO_USERS, DEV_DEFAULTS } from '@gavel/config';
import { loadConfig } from '../apps/api/src/config/env.js';

const distRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const READY_TIMEOUT_MS = 90_000;
const STOP_GRACE_MS = 10_000;

const color = process.stdout.isTTY
  ? (code: number, text: string) => `\x1b[${code}m${text}\x1b[0m`
  : (_: number, text: string) => text;

interface Service {
  name: string;
  child: ChildProcess;
}

const apiPort = process.env.PORT || String(DEV_DEFAULTS.PORT);
const gatewayPort = process.env.GATEWAY_PORT || String(DEV_DEFAULTS.GATEWAY_PORT);
const apiUrl = `http://127.0.0.1:${apiPort}`;
const gatewayHttp = `http://127.0.0.1:${gatewayPort}`;
// Each side must find the other even on non-default ports.
const env = {
  ...process.env,
  API_BASE_URL: process.env.API_BASE_URL || apiUrl,
  APIGW_ENDPOINT: process.env.APIGW_ENDPOINT || gatewayHttp,
};

let stopping = false;
const services: Service[] = [
  launch('api', 36, join(distRoot, 'apps/api/src/main.js')),
  launch('gateway', 35, join(distRoot, 'apps/gateway/src/main.js')),
];

function launch(name: string, colorCode: number, script: string): Service {
  const child = spawn(process.execPath, ['--enable-source-maps', script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = color(colorCode, `[${name.padEnd(7)}]`);
  let partial = { stdout: '', stderr: '' };
  for (const stream of ['stdout', 'stderr'] as const) {
    child[stream]!.on('data', (chunk: Buffer) => {
      const lines = (partial[stream] + chunk.toString('utf8')).split('\n');
      partial = { ...partial, [stream]: lines.pop() ?? '' };
      for (const line of lines) (stream === 'stdout' ? process.stdout : process.stderr).write(`${prefix} ${line}\n`);
    });
  }
  child.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`${prefix} exited unexpectedly (${signal ?? `code ${code}`}); stopping the rest`);
    void stopAll(1);
  });
  return { name, child };
}

async function stopAll(exitCode: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  await Promise.all(
    services.map(({ child }) => {
      if (child.exitCode !== null || child.signalCode !== null) return undefined;
      return new Promise<void>((done) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        child.once('exit', () => {
          clearTimeout(timer);
          done();
        });
        child.kill('SIGTERM');
      });
    }),
  );
  process.exit(exitCode);
}

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

async function waitFor(url: string, ready: (status: number) => boolean): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline && !stopping) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (ready(response.status)) return;
    } catch {
      // not up yet
    }
    await sleep(200);
  }
  if (!stopping) throw new Error(`${url} did not answer within ${READY_TIMEOUT_MS / 1000} s`);
}

try {
  await Promise.all([
    waitFor(`${apiUrl}/health`, (status) => status === 200),
    // A plain GET on the WebSocket URL answers 426 Upgrade Required once the gateway listens.
    waitFor(`${gatewayHttp}/`, (status) => status === 426),
  ]);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  await stopAll(1);
}

// What the API itself decided (it started, so its configuration is valid): demo logins only in development
// on a loopback HOST, /docs unless production without API_DOCS=true.
const { seedDemoData, apiDocs } = loadConfig(env);
const wsUrl = `ws://127.0.0.1:${gatewayPort}`;
const [demo] = DEMO_USERS;
const login = seedDemoData
  ? { email: demo.email, password: DEMO_PASSWORD }
  : { email: '<email>', password: '<password>' };
console.log(`
${color(1, 'Gavel is running')}
  WebSocket (local API Gateway)  ${wsUrl}   (stage path ${wsUrl}/dev also works)
  Web client                     ${apiUrl}/
  REST API${apiDocs ? ' / OpenAPI' : '          '}             ${apiUrl}${apiDocs ? `  /  ${apiUrl}/docs` : ''}

  ${seedDemoData ? `Demo logins (password "${DEMO_PASSWORD}"): ${DEMO_USERS.map((u) => `${u.email} (${u.role})`).join(', ')}` : 'No demo logins (not development on a loopback HOST): create users with npm run user:create'}

  Get a token:
    curl -s -X POST ${apiUrl}/auth/login -H 'content-type: application/json' \\
      -d '{"email":"${login.email}","password":"${login.password}"}'
  Connect and authenticate:
    npx wscat -c ${wsUrl}
    > {"action":"auth","token":"<accessToken>"}

  Ctrl-C stops both.
`);
