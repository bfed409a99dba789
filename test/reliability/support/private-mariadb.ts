/**
 * A private MariaDB server for outage tests: its own data directory, socket and free port, so the
 * test can crash and restart it without touching the machine's shared server that other tests use.
 * Started with --skip-grant-tables: loopback only, throwaway data, no passwords to manage.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createConnection } from 'mysql2/promise';
import { freePort } from '../../support/ports.js';

const MARIADBD_CANDIDATES = ['/usr/sbin/mariadbd', '/usr/bin/mariadbd', '/usr/local/bin/mariadbd'];
const INSTALL_CANDIDATES = [
  '/usr/bin/mariadb-install-db',
  '/usr/local/bin/mariadb-install-db',
  '/usr/bin/mysql_install_db',
];

/** Why the outage test cannot run here, or undefined when it can. */
export function mariadbUnavailableReason(): string | undefined {
  if (!MARIADBD_CANDIDATES.some(existsSync))
    return 'mariadbd is not installed (looked in /usr/sbin, /usr/bin, /usr/local/bin)';
  if (!INSTALL_CANDIDATES.some(existsSync)) return 'mariadb-install-db is not installed';
  return undefined;
}

export class PrivateMariaDb {
  private child: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'gavel-private-mariadb-'));
  readonly crashes: string[] = [];

  private constructor(readonly port: number) {}

  static async create(): Promise<PrivateMariaDb> {
    const server = new PrivateMariaDb(await freePort());
    const install = INSTALL_CANDIDATES.find(existsSync)!;
    const result = spawnSync(
      install,
      [
        '--no-defaults',
        `--datadir=${join(server.dir, 'data')}`,
        '--auth-root-authentication-method=normal',
        `--user=${process.getuid?.() === 0 ? 'root' : (process.env.USER ?? 'root')}`,
        '--skip-test-db',
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    if (result.status !== 0) throw new Error(`mariadb-install-db failed: ${result.stderr || result.stdout}`);
    await server.start();
    return server;
  }

  /** `mysql://root@127.0.0.1:<port>/<database>` (the database is created when missing). */
  async databaseUrl(database: string): Promise<string> {
    const connection = await createConnection({ host: '127.0.0.1', port: this.port, user: 'root' });
    try {
      await connection.query(
        `CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
      );
    } finally {
      await connection.end();
    }
    return `mysql://root@127.0.0.1:${this.port}/${database}`;
  }

  async start(): Promise<void> {
    const mariadbd = MARIADBD_CANDIDATES.find(existsSync)!;
    const child = spawn(
      mariadbd,
      [
        '--no-defaults',
        `--datadir=${join(this.dir, 'data')}`,
        `--socket=${join(this.dir, 'sock')}`,
        `--pid-file=${join(this.dir, 'pid')}`,
        `--log-error=${join(this.dir, 'error.log')}`,
        `--port=${this.port}`,
        '--bind-address=127.0.0.1',
        `--user=${process.getuid?.() === 0 ? 'root' : (process.env.USER ?? 'root')}`,
        '--skip-grant-tables',
        '--skip-log-bin',
        '--innodb-buffer-pool-size=64M',
        // Durable commits (the default, spelled out): a 201 must survive a crash.
        '--innodb-flush-log-at-trx-commit=1',
      ],
      { stdio: 'ignore' },
    );
    this.child = child;
    // Never outlive the test process, even when it is killed by a timeout.
    const reap = () => child.kill('SIGKILL');
    process.once('exit', reap);
    child.once('exit', () => process.off('exit', reap));
    child.on('exit', (code, signal) => {
      if (this.child === child && code !== 0 && signal !== 'SIGKILL' && signal !== 'SIGTERM')
        this.crashes.push(`mariadbd exited with ${code ?? signal}`);
    });
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`mariadbd exited during start: ${this.errorLog()}`);
      try {
        const connection = await createConnection({
          host: '127.0.0.1',
          port: this.port,
          user: 'root',
          connectTimeout: 1_000,
        });
        await connection.end();
        return;
      } catch {
        await sleep(100);
      }
    }
    throw new Error(`mariadbd did not accept connections within 60 s: ${this.errorLog()}`);
  }

  /** A crash: SIGKILL, no shutdown; InnoDB recovers committed transactions on the next start. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((done) => child.once('exit', () => done()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  errorLog(): string {
    const file = join(this.dir, 'error.log');
    return existsSync(file) ? readFileSync(file, 'utf8').slice(-2000) : '(no error log)';
  }
}
