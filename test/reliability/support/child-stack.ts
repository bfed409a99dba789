/**
 * The API and the local gateway as real child processes (compiled dist/, as `npm start` runs them) on
 * fixed free loopback ports, each one stoppable, killable, freezable (SIGSTOP) and restartable on the
 * same port — what the fault tests need and test/support/stack.ts does not offer. Every byte the
 * processes write is kept, so tests can grep the whole log for secrets.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureBuilt } from '../../support/stack.js';
import { freePort } from '../../support/ports.js';
import { runSecrets, type RunSecrets } from './in-process-api.js';

const repoRoot = resolve(import.meta.dirname, '../../..');

export interface ChildStackOptions {
  databaseUrl: string;
  apiEnv?: Record<string, string>;
  gatewayEnv?: Record<string, string>;
  /** Nest log level of the API (default `log`: one line per request, the most there is to leak). */
  apiLogLevel?: string;
}

export class ManagedProcess {
  private child: ChildProcess | undefined;
  /** Exits nobody asked for (a crash). */
  readonly unexpectedExits: string[] = [];
  private stopping = false;

  constructor(
    readonly name: string,
    private readonly script: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly readyUrl: string,
    private readonly isReady: (status: number) => boolean,
    private readonly log: string[],
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    const child = spawn(process.execPath, [this.script], {
      cwd: repoRoot,
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.stopping = false;
    // Never outlive the test process, even when it is killed by a timeout.
    const reap = () => child.kill('SIGKILL');
    process.once('exit', reap);
    child.once('exit', () => process.off('exit', reap));
    const record = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      this.log.push(text.replace(/^(?=.)/gm, `[${this.name}] `));
      if (process.env.STACK_LOGS === '1') process.stderr.write(text.replace(/^(?=.)/gm, `[${this.name}] `));
    };
    child.stdout!.on('data', record);
    child.stderr!.on('data', record);
    child.on('exit', (code, signal) => {
      if (!this.stopping && this.child === child)
        this.unexpectedExits.push(`${this.name} exited (code ${code}, signal ${signal})`);
    });
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null)
        throw new Error(`${this.name} exited with ${child.exitCode} during start:\n${this.log.slice(-40).join('')}`);
      try {
        const response = await fetch(this.readyUrl, { signal: AbortSignal.timeout(2_000) });
        await response.arrayBuffer();
        if (this.isReady(response.status)) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(`${this.name} did not become ready within 60 s:\n${this.log.slice(-40).join('')}`);
  }

  /** SIGTERM (graceful) or SIGKILL (a crash); waits for the exit. */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.stopping = true;
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    if (signal === 'SIGTERM') child.kill('SIGCONT');
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 8_000);
    await exited;
    clearTimeout(timer);
  }

  /** SIGSTOP: the process holds its sockets but answers nothing (a hung server). */
  freeze(): void {
    this.child?.kill('SIGSTOP');
  }

  thaw(): void {
    this.child?.kill('SIGCONT');
  }

  async restart(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    await this.stop(signal);
    await this.start();
  }
}

export interface ChildStack {
  apiUrl: string;
  wsUrl: string;
  managementUrl: string;
  secrets: RunSecrets;
  api: ManagedProcess;
  gateway: ManagedProcess;
  /** Everything both processes wrote. */
  output(): string;
  stop(): Promise<void>;
}

export async function startChildStack(options: ChildStackOptions): Promise<ChildStack> {
  await ensureBuilt();
  const secrets = runSecrets();
  const [apiPort, gatewayPort] = await Promise.all([freePort(), freePort()]);
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const managementUrl = `http://127.0.0.1:${gatewayPort}`;
  const log: string[] = [];
  const common = {
    ...process.env,
    ...secrets,
    AWS_REGION: 'us-east-1',
    API_BASE_URL: apiUrl,
    APIGW_ENDPOINT: managementUrl,
    GATEWAY_PORT: String(gatewayPort),
  };
  const api = new ManagedProcess(
    'api',
    join(repoRoot, 'dist/apps/api/src/main.js'),
    {
      ...common,
      NODE_ENV: 'development',
      PORT: String(apiPort),
      DATABASE_URL: options.databaseUrl,
      LOG_LEVEL: options.apiLogLevel ?? 'log',
      LOG_FORMAT: 'json',
      LOGIN_RATE_LIMIT: '1000000',
      REGISTER_RATE_LIMIT: '1000000',
      BID_RATE_LIMIT: '1000000',
      ...options.apiEnv,
    },
    `${apiUrl}/health`,
    (status) => status === 200,
    log,
  );
  const gateway = new ManagedProcess(
    'gateway',
    join(repoRoot, 'dist/apps/gateway/src/main.js'),
    { ...common, NODE_ENV: 'test', GATEWAY_LOG: 'on', ...options.gatewayEnv },
    `${managementUrl}/`,
    (status) => status === 426,
    log,
  );
  await api.start();
  try {
    await gateway.start();
  } catch (error) {
    await api.stop();
    throw error;
  }
  return {
    apiUrl,
    wsUrl: `ws://127.0.0.1:${gatewayPort}/dev`,
    managementUrl,
    secrets,
    api,
    gateway,
    output: () => log.join(''),
    stop: async () => {
      await gateway.stop();
      await api.stop();
    },
  };
}
