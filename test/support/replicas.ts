/**
 * Several API copies behind a real load balancer (contract §9): N API processes from `dist/` on one
 * MariaDB database, HAProxy (Debian's `haproxy`) in front of them with a generated configuration, and
 * the local gateway whose Lambdas call the API through HAProxy and whose management endpoint every copy
 * pushes through. MariaDB only: several processes on one SQLite file is not a production setup.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { HAPROXY, haproxyConfig, haproxyServerStates } from '../../bench/stack/haproxy.js';
import { freshDatabase, type TestDatabase } from './databases.js';
import { freePort } from './ports.js';
import { ensureBuilt, launch, type Stack, STACK_SECRETS, stopProcess, waitUntilAnswering } from './stack.js';

const repoRoot = resolve(import.meta.dirname, '../..');

// The configuration generator is shared with the bench (`npm run bench -- --replicas 2`).
export { HAPROXY, haproxyConfig } from '../../bench/stack/haproxy.js';

/** Why the replica tests cannot run here, or undefined when they can. */
export function replicasUnavailable(): string | undefined {
  if (!process.env.TEST_MYSQL_URL) return 'needs TEST_MYSQL_URL (several copies share one MySQL/MariaDB database)';
  if (!existsSync(HAPROXY)) return `needs HAProxy at ${HAPROXY} (apt-get install haproxy)`;
  return undefined;
}

export interface ReplicaOptions {
  /** How many API copies (default 3). */
  copies?: number;
  apiEnv?: Record<string, string>;
  gatewayEnv?: Record<string, string>;
}

export interface ApiCopy {
  readonly name: string;
  /** The copy's own URL (behind HAProxy's back, for tests that must reach one copy). */
  readonly url: string;
  readonly port: number;
  readonly process: ChildProcess;
}

export interface ReplicaStack extends Stack {
  /** HAProxy's URL: what clients and the Lambdas use. */
  apiUrl: string;
  copies: ApiCopy[];
  /** SIGKILL of one copy: no shutdown hooks, requests in flight cut off. */
  kill(index: number): Promise<void>;
  /** SIGTERM (graceful shutdown) of one copy, waiting for it to exit. */
  stopCopy(index: number): Promise<void>;
  /** Starts a stopped or killed copy again on its port; resolves when it answers /health. */
  restart(index: number): Promise<void>;
  /** HAProxy's view of the backends, from its stats socket: name → status (UP, DOWN, …). */
  backendStatus(): Promise<Record<string, string>>;
}

export async function startReplicas(options: ReplicaOptions = {}): Promise<ReplicaStack> {
  const unavailable = replicasUnavailable();
  if (unavailable) throw new Error(`replica stack ${unavailable}`);
  await ensureBuilt();
  const count = options.copies ?? 3;
  const database: TestDatabase = await freshDatabase('mysql');
  const ports = await Promise.all(Array.from({ length: count + 2 }, () => freePort()));
  const [proxyPort, gatewayPort] = ports as [number, number];
  const copyPorts = ports.slice(2);
  const apiUrl = `http://127.0.0.1:${proxyPort}`;
  const managementUrl = `http://127.0.0.1:${gatewayPort}`;
  const log: string[] = [];
  const workDir = mkdtempSync(join(tmpdir(), 'gavel-replicas-'));
  const statsSocket = join(workDir, 'haproxy.sock');

  const baseEnv = {
    ...process.env,
    ...STACK_SECRETS,
    API_BASE_URL: apiUrl,
    APIGW_ENDPOINT: managementUrl,
    GATEWAY_PORT: String(gatewayPort),
  };
  const apiEnv = (port: number): NodeJS.ProcessEnv => ({
    ...baseEnv,
    NODE_ENV: 'development',
    PORT: String(port),
    DATABASE_URL: database.url,
    LOG_LEVEL: 'warn',
    REGISTER_RATE_LIMIT: '1000000',
    BID_RATE_LIMIT: '1000000',
    // Behind one proxy: the client's address is HAProxy's X-Forwarded-For.
    TRUST_PROXY: '1',
    ...options.apiEnv,
  });
  const copies: ApiCopy[] = copyPorts.map((port, i) => ({
    name: `api${i + 1}`,
    port,
    url: `http://127.0.0.1:${port}`,
    process: undefined as unknown as ChildProcess,
  }));
  const startCopy = async (index: number) => {
    const copy = copies[index]!;
    const child = launch(copy.name, join(repoRoot, 'dist/apps/api/src/main.js'), apiEnv(copy.port), log);
    copies[index] = { ...copy, process: child };
    await waitUntilAnswering(`${copy.url}/health`, child, (status) => status === 200, log);
  };

  const configFile = join(workDir, 'haproxy.cfg');
  writeFileSync(
    configFile,
    haproxyConfig({ listenPort: proxyPort, servers: copies.map((c) => ({ name: c.name, port: c.port })), statsSocket }),
  );
  const check = spawnSync(HAPROXY, ['-c', '-f', configFile], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`haproxy -c refused the generated configuration:\n${check.stderr}`);

  let haproxy: ChildProcess | undefined;
  let gateway: ChildProcess | undefined;
  const stopAll = async () => {
    await Promise.all([
      ...copies.map((c) => (c.process ? stopProcess(c.process) : undefined)),
      gateway ? stopProcess(gateway) : undefined,
      haproxy ? stopProcess(haproxy) : undefined,
    ]);
  };
  const launchGateway = () =>
    launch(
      'gateway',
      join(repoRoot, 'dist/apps/gateway/src/main.js'),
      { ...baseEnv, NODE_ENV: 'test', GATEWAY_LOG: 'off', ...options.gatewayEnv },
      log,
    );
  const stack: ReplicaStack = {
    apiUrl,
    wsUrl: `ws://127.0.0.1:${gatewayPort}/dev`,
    managementUrl,
    database,
    copies,
    stopApi: async () => {
      await Promise.all(copies.map((c) => stopProcess(c.process)));
    },
    stopGateway: async (signal = 'SIGTERM') => {
      if (gateway) await stopProcess(gateway, signal);
    },
    startGateway: async () => {
      if (gateway && gateway.exitCode === null && gateway.signalCode === null)
        throw new Error('the gateway is still running');
      gateway = launchGateway();
      await waitUntilAnswering(`${managementUrl}/`, gateway, (status) => status === 426, log);
    },
    stop: async () => {
      await stopAll();
      await database.drop();
      rmSync(workDir, { recursive: true, force: true });
    },
    output: () => log.join(''),
    kill: async (index) => {
      const child = copies[index]!.process;
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((done) => child.once('exit', () => done()));
      child.kill('SIGKILL');
      await exited;
    },
    stopCopy: (index) => stopProcess(copies[index]!.process),
    restart: (index) => startCopy(index),
    backendStatus: () => haproxyServerStates(statsSocket),
  };
  try {
    // The first copy runs the migrations alone; the others find them applied.
    await startCopy(0);
    await Promise.all(copies.slice(1).map((_, i) => startCopy(i + 1)));
    haproxy = spawn(HAPROXY, ['-db', '-f', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    const record = (chunk: Buffer) => log.push(chunk.toString('utf8').replace(/^(?=.)/gm, '[haproxy] '));
    haproxy.stdout!.on('data', record);
    haproxy.stderr!.on('data', record);
    gateway = launchGateway();
    await Promise.all([
      waitUntilAnswering(`${apiUrl}/health`, haproxy, (status) => status === 200, log),
      waitUntilAnswering(`${managementUrl}/`, gateway, (status) => status === 426, log),
    ]);
    // Every copy in rotation before the tests start.
    const deadline = Date.now() + 10_000;
    while (Object.values(await stack.backendStatus()).some((s) => s !== 'UP')) {
      if (Date.now() > deadline)
        throw new Error(`HAProxy backends not UP: ${JSON.stringify(await stack.backendStatus())}`);
      await new Promise((done) => setTimeout(done, 100));
    }
  } catch (error) {
    await stack.stop();
    throw error;
  }
  return stack;
}
