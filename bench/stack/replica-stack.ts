/**
 * `npm run bench -- --replicas K`: the system under test as contract §9 runs it — K API copies
 * (`dist/apps/api/src/main.js`) on one MySQL/MariaDB database, HAProxy (`/usr/sbin/haproxy`) in front of
 * them with the configuration the replica tests use (./haproxy.ts), and the local gateway whose Lambdas
 * call the API through HAProxy. The first copy runs the migrations alone, then the others start.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  API_MAIN,
  benchApiEnv,
  benchGatewayEnv,
  GATEWAY_MAIN,
  launch,
  stopChild,
  tail,
  waitForHttp,
  type BenchStack,
  type Launched,
  type StackOptions,
} from './bench-stack.js';
import { freePort } from './free-port.js';
import { HAPROXY, haproxyConfig, haproxyServerStates } from './haproxy.js';

const BACKENDS_UP_TIMEOUT_MS = 15_000;

export async function startReplicaStack(options: StackOptions & { copies: number }): Promise<BenchStack> {
  if (!existsSync(HAPROXY)) throw new Error(`--replicas needs HAProxy at ${HAPROXY} (apt-get install haproxy)`);
  const [proxyPort, gatewayPort] = [await freePort(), await freePort()];
  const copyPorts: number[] = [];
  for (let i = 0; i < options.copies; i++) copyPorts.push(await freePort());
  const apiUrl = `http://127.0.0.1:${proxyPort}`;
  const managementUrl = `http://127.0.0.1:${gatewayPort}`;
  const shared = {
    NODE_ENV: 'development',
    GATEWAY_PORT: String(gatewayPort),
    API_BASE_URL: apiUrl,
    APIGW_ENDPOINT: managementUrl,
  };
  const children: ChildProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(children.map((child) => stopChild(child)));
  };

  try {
    const statsSocket = join(options.workDir, 'haproxy.sock');
    const configFile = join(options.workDir, 'haproxy.cfg');
    const names = copyPorts.map((_, i) => `api${i + 1}`);
    writeFileSync(
      configFile,
      haproxyConfig({
        listenPort: proxyPort,
        servers: names.map((name, i) => ({ name, port: copyPorts[i]! })),
        statsSocket,
      }),
    );
    const check = spawnSync(HAPROXY, ['-c', '-f', configFile], { encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`haproxy -c refused the generated configuration:\n${check.stderr}`);

    const startCopy = async (index: number): Promise<Launched> => {
      const copy = launch(names[index]!, API_MAIN, options, children, {
        ...shared,
        ...benchApiEnv(options.databaseUrl),
        PORT: String(copyPorts[index]),
        // Behind one proxy: the client's address is HAProxy's X-Forwarded-For.
        TRUST_PROXY: '1',
      });
      await waitForHttp(`http://127.0.0.1:${copyPorts[index]}/health`, copy, (status) => status === 200);
      return copy;
    };
    // The first copy runs the migrations alone; the others find them applied.
    const first = await startCopy(0);
    const others = await Promise.all(names.slice(1).map((_, i) => startCopy(i + 1)));
    const copies = [first, ...others];

    const logFile = join(options.workDir, 'haproxy.log');
    const log = openSync(logFile, 'a');
    const haproxy = spawn(HAPROXY, ['-db', '-f', configFile], { stdio: ['ignore', log, log] });
    closeSync(log);
    children.push(haproxy);
    const proxy: Launched = { child: haproxy, info: { name: 'haproxy', pid: haproxy.pid ?? 0, logFile } };
    const gateway = launch('gateway', GATEWAY_MAIN, options, children, {
      ...shared,
      ...benchGatewayEnv(options.newConnectionsPerSecond),
    });
    await Promise.all([
      waitForHttp(`${apiUrl}/health`, proxy, (status) => status === 200),
      waitForHttp(`${managementUrl}/`, gateway, () => true),
    ]);
    // Every copy in rotation before anything is measured.
    const deadline = Date.now() + BACKENDS_UP_TIMEOUT_MS;
    let states = await haproxyServerStates(statsSocket);
    while (names.some((name) => states[name] !== 'UP')) {
      if (Date.now() > deadline)
        throw new Error(
          `HAProxy backends not UP after ${BACKENDS_UP_TIMEOUT_MS / 1000} s: ${JSON.stringify(states)}\n${tail(logFile)}`,
        );
      await sleep(100);
      states = await haproxyServerStates(statsSocket);
    }
    return {
      apiUrl,
      gatewayUrl: `ws://127.0.0.1:${gatewayPort}/dev`,
      api: first.info,
      apiCopies: copies.map((copy) => copy.info),
      gateway: gateway.info,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
