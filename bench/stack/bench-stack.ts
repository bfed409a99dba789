/**
 * The system under test, started the way production runs it: the API (`dist/apps/api/src/main.js`)
 * and the local gateway (`dist/apps/gateway/src/main.js`, running the bundled Lambdas) as two
 * processes on free ports, on a fresh database, with logging turned down so it does not skew the figures.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';

export interface StackOptions {
  databaseUrl: string;
  /** New connections per second the gateway accepts (AWS's default quota is 500). */
  newConnectionsPerSecond: number;
  workDir: string;
  /** Write V8 CPU profiles of the API and the gateway into this folder. */
  cpuProfileDir?: string;
}

export interface ServiceProcess {
  name: string;
  pid: number;
  logFile: string;
}

export interface BenchStack {
  /** Where clients and the Lambdas reach the API (with --replicas: HAProxy). */
  apiUrl: string;
  gatewayUrl: string;
  /** The API process (with --replicas: the first copy; every copy is in apiCopies). */
  api: ServiceProcess;
  /** Every API process: one, or the copies behind HAProxy. */
  apiCopies: ServiceProcess[];
  gateway: ServiceProcess;
  stop(): Promise<void>;
}

const distRoot = fileURLToPath(new URL('../../', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const guard = new URL('./exit-with-parent.js', import.meta.url).href;

export const API_MAIN = join(distRoot, 'apps/api/src/main.js');
export const GATEWAY_MAIN = join(distRoot, 'apps/gateway/src/main.js');

/** What every bench API process runs with, besides ports and URLs. */
export function benchApiEnv(databaseUrl: string): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    // Every bench user registers and logs in once, from one IP, and bench bidders bid faster than a
    // person: the production limits would refuse most of them.
    LOGIN_RATE_LIMIT: '1000000',
    REGISTER_RATE_LIMIT: '1000000',
    BID_RATE_LIMIT: '1000000',
    LOG_LEVEL: 'warn',
  };
}

export function benchGatewayEnv(newConnectionsPerSecond: number): Record<string, string> {
  return { GATEWAY_NEW_CONNECTIONS_PER_SECOND: String(newConnectionsPerSecond), GATEWAY_LOG: 'off' };
}

export async function startStack(options: StackOptions): Promise<BenchStack> {
  const [apiPort, gatewayPort] = [await freePort(), await freePort()];
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const managementUrl = `http://127.0.0.1:${gatewayPort}`;
  const shared = {
    NODE_ENV: 'development',
    PORT: String(apiPort),
    GATEWAY_PORT: String(gatewayPort),
    API_BASE_URL: apiUrl,
    APIGW_ENDPOINT: managementUrl,
  };
  const children: ChildProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(children.map((child) => stopChild(child)));
  };

  try {
    const api = launch('api', API_MAIN, options, children, { ...shared, ...benchApiEnv(options.databaseUrl) });
    const gateway = launch('gateway', GATEWAY_MAIN, options, children, {
      ...shared,
      ...benchGatewayEnv(options.newConnectionsPerSecond),
    });
    await Promise.all([
      waitForHttp(`${apiUrl}/health`, api, (status) => status === 200),
      waitForHttp(`${managementUrl}/`, gateway, () => true),
    ]);
    return {
      apiUrl,
      gatewayUrl: `ws://127.0.0.1:${gatewayPort}/dev`,
      api: api.info,
      apiCopies: [api.info],
      gateway: gateway.info,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

export interface Launched {
  child: ChildProcess;
  info: ServiceProcess;
}

export function launch(
  name: string,
  script: string,
  options: StackOptions,
  children: ChildProcess[],
  env: Record<string, string>,
): Launched {
  if (!existsSync(script)) throw new Error(`${script} is missing: run npm run build`);
  const logFile = join(options.workDir, `${name}.log`);
  const log = openSync(logFile, 'a');
  const profile = options.cpuProfileDir
    ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir, '--cpu-prof-name', `${name}.cpuprofile`]
    : [];
  const child = fork(script, [], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    execArgv: ['--import', guard, ...profile],
    stdio: ['ignore', log, log, 'ipc'],
  });
  closeSync(log);
  children.push(child);
  return { child, info: { name, pid: child.pid ?? 0, logFile } };
}

export async function waitForHttp(
  url: string,
  launched: Launched,
  ok: (status: number) => boolean,
  timeoutMs = 90_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (launched.child.exitCode !== null || launched.child.signalCode !== null) {
      throw new Error(`${launched.info.name} exited during start-up:\n${tail(launched.info.logFile)}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (ok(response.status)) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(
    `${launched.info.name} did not answer ${url} within ${timeoutMs / 1000} s:\n${tail(launched.info.logFile)}`,
  );
}

/** Closing the IPC channel makes the child exit normally (exit-with-parent), which also flushes a CPU profile. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (child.connected) child.disconnect();
  else child.kill('SIGTERM');
  await Promise.race([exited, sleep(10_000)]);
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await exited;
  }
}

export function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return `(no log at ${file})`;
  }
}
