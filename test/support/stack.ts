/**
 * The whole stack for e2e tests: the API and the local gateway as real child processes, started from
 * the compiled `dist/` (built once per test run), on free ports, against a fresh database.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freshDatabase, type DatabaseKind, type TestDatabase } from './databases.js';
import { freePort } from './ports.js';

const repoRoot = resolve(import.meta.dirname, '../..');

export const STACK_SECRETS = {
  GATEWAY_API_KEY: 'stack-test-gateway-api-key',
  SERVICE_API_KEY: 'stack-test-service-api-key',
  JWT_SECRET: 'stack-test-jwt-secret-at-least-32-characters',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDSTACKTEST0000000',
  AWS_SECRET_ACCESS_KEY: 'stack-test-secret-access-key',
} as const;

export interface StackOptions {
  database: DatabaseKind;
  /** Extra environment for the gateway process (and so its Lambdas), e.g. a wrong GATEWAY_API_KEY. */
  gatewayEnv?: Record<string, string>;
  apiEnv?: Record<string, string>;
  /** The gateway's port (default: a free one), for a test that puts something in front of it before it starts. */
  gatewayPort?: number;
}

export interface Stack {
  apiUrl: string;
  /** WebSocket URL with the stage, e.g. ws://127.0.0.1:40123/dev. */
  wsUrl: string;
  /** What the API uses as APIGW_ENDPOINT (no stage, like the contract's default). */
  managementUrl: string;
  database: TestDatabase;
  /** Stops the API only (the gateway keeps running), to test an API outage. */
  stopApi(): Promise<void>;
  /**
   * Stops the gateway process only (the API keeps running): SIGTERM closes its sockets first, SIGKILL is a crash
   * (no close frame, no `$disconnect`). Every connection it held is gone, as when an AWS stage is redeployed.
   */
  stopGateway(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Starts a stopped gateway again on the same port and waits until it answers. */
  startGateway(): Promise<void>;
  /** Stops both processes and drops the database. */
  stop(): Promise<void>;
  /** The processes' recent output, for failure messages. */
  output(): string;
}

let built: Promise<void> | undefined;

/**
 * Runs `npm run build` once per test run: test files (forked processes) take turns through a lock
 * directory, and the first of a run leaves a stamp the others see. GAVEL_SKIP_BUILD=1 skips it.
 */
export function ensureBuilt(): Promise<void> {
  built ??= (async () => {
    if (process.env.GAVEL_SKIP_BUILD === '1') return;
    const lock = join(repoRoot, 'dist', '.stack-build-lock');
    const stamp = join(repoRoot, 'dist', '.stack-build-run');
    mkdirSync(join(repoRoot, 'dist'), { recursive: true });
    const deadline = Date.now() + 300_000;
    for (;;) {
      try {
        mkdirSync(lock);
        break;
      } catch {
        // A lock older than 5 minutes belongs to a build that died.
        if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 300_000)
          rmSync(lock, { recursive: true, force: true });
        if (Date.now() > deadline)
          throw new Error('timed out waiting for another test process to finish npm run build');
        await sleep(250);
      }
    }
    try {
      // Test files of one Jest run are workers (child processes) of the same parent: the first one builds, the others reuse
      // it (rebuilding would rewrite dist/ under the processes other files have already started).
      const runId = String(process.ppid);
      if (readStamp(stamp) === runId) return;
      const result = spawnSync('npm', ['run', 'build', '--silent'], {
        cwd: repoRoot,
        encoding: 'utf8',
        env: { ...process.env, NODE_ENV: undefined },
      });
      if (result.status !== 0) throw new Error(`npm run build failed:\n${result.stdout}\n${result.stderr}`);
      writeFileSync(stamp, runId);
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  })();
  return built;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  await ensureBuilt();
  const database = await freshDatabase(options.database);
  const [apiPort, gatewayPort] = await Promise.all([freePort(), options.gatewayPort ?? freePort()]);
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const managementUrl = `http://127.0.0.1:${gatewayPort}`;
  const log: string[] = [];

  const baseEnv = {
    ...process.env,
    ...STACK_SECRETS,
    API_BASE_URL: apiUrl,
    APIGW_ENDPOINT: managementUrl,
    GATEWAY_PORT: String(gatewayPort),
  };
  const api = launch(
    'api',
    join(repoRoot, 'dist/apps/api/src/main.js'),
    {
      ...baseEnv,
      // development: the demo users are seeded (contract §4).
      NODE_ENV: 'development',
      PORT: String(apiPort),
      DATABASE_URL: database.url,
      LOG_LEVEL: 'warn',
      // Test files register their users and place their bids from one IP in a burst; the limits have their own tests.
      REGISTER_RATE_LIMIT: '1000000',
      BID_RATE_LIMIT: '1000000',
      ...options.apiEnv,
    },
    log,
  );
  const launchGateway = () =>
    launch(
      'gateway',
      join(repoRoot, 'dist/apps/gateway/src/main.js'),
      {
        ...baseEnv,
        NODE_ENV: 'test',
        GATEWAY_LOG: process.env.STACK_LOGS === '1' ? 'on' : 'off',
        ...options.gatewayEnv,
      },
      log,
    );
  let gateway = launchGateway();

  const stack: Stack = {
    apiUrl,
    wsUrl: `ws://127.0.0.1:${gatewayPort}/dev`,
    managementUrl,
    database,
    stopApi: () => stopProcess(api),
    stopGateway: (signal = 'SIGTERM') => stopProcess(gateway, signal),
    startGateway: async () => {
      if (gateway.exitCode === null && gateway.signalCode === null) throw new Error('the gateway is still running');
      gateway = launchGateway();
      await waitUntilAnswering(`${managementUrl}/`, gateway, (status) => status === 426, log);
    },
    stop: async () => {
      await Promise.all([stopProcess(api), stopProcess(gateway)]);
      await database.drop();
    },
    output: () => log.join(''),
  };
  try {
    await Promise.all([
      waitUntilAnswering(`${apiUrl}/health`, api, (status) => status === 200, log),
      waitUntilAnswering(`${managementUrl}/`, gateway, (status) => status === 426, log),
    ]);
  } catch (error) {
    await stack.stop();
    throw error;
  }
  return stack;
}

export function launch(name: string, script: string, env: NodeJS.ProcessEnv, log: string[]): ChildProcess {
  const child = spawn(process.execPath, [script], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const record = (chunk: Buffer) => {
    const text = chunk.toString('utf8').replace(/^(?=.)/gm, `[${name}] `);
    log.push(text);
    if (log.length > 400) log.splice(0, log.length - 400);
    if (process.env.STACK_LOGS === '1') process.stderr.write(text);
  };
  child.stdout!.on('data', record);
  child.stderr!.on('data', record);
  return child;
}

export async function waitUntilAnswering(
  url: string,
  child: ChildProcess,
  ready: (status: number) => boolean,
  log: string[],
): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`process for ${url} exited with ${child.exitCode}:\n${log.join('')}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (ready(response.status)) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${url} did not answer within 60 s:\n${log.join('')}`);
}

export async function stopProcess(child: ChildProcess, signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

function readStamp(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** JSON over fetch against the stack's API. */
export async function apiJson<T = Record<string, unknown>>(
  stack: Pick<Stack, 'apiUrl'>,
  path: string,
  init: { method?: string; body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${stack.apiUrl}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...init.headers,
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** Logs in (the seeded demo users have password `gavel-demo`) and returns the access token. */
export async function login(stack: Pick<Stack, 'apiUrl'>, email: string, password = 'gavel-demo'): Promise<string> {
  const { status, body } = await apiJson<{ accessToken: string }>(stack, '/auth/login', { body: { email, password } });
  if (status !== 200) throw new Error(`login of ${email} failed with ${status}: ${JSON.stringify(body)}`);
  return body.accessToken;
}
