/**
 * `user:create` (the compiled script) takes the password from standard input, so it never has to be on the
 * command line, where process lists and shell history show it. `--password` still works, with a warning.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../apps/api/src/database/data-source.js';
import { PasswordHasher } from '../../apps/api/src/modules/user/password-hasher.js';
import { User } from '../../apps/api/src/modules/user/user.entity.js';
import { databaseKinds, freshDatabase, type TestDatabase } from '../support/databases.js';
import { ensureBuilt } from '../support/stack.js';

const repoRoot = resolve(import.meta.dirname, '../..');
const userCreateJs = resolve(repoRoot, 'dist/scripts/user-create.js');
const PASSWORD = 'stdin-only-password-4711';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The process's own argv as the kernel shows it to `ps`, read while it waited for its password. */
  cmdline: string;
}

/** Runs user:create; `stdin` is written only after its argv has been read from /proc. */
function userCreate(args: string[], database: TestDatabase, stdin: string): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [userCreateJs, ...args], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', DATABASE_URL: database.url },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`user:create did not finish in time:\n${stdout}${stderr}`));
    }, 60_000);
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0').join(' ');
    } catch {
      cmdline = [process.execPath, userCreateJs, ...args].join(' ');
    }
    child.stdin.end(stdin);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr, cmdline });
    });
  });
}

async function storedHash(database: TestDatabase, email: string): Promise<string | undefined> {
  const dataSource = await new DataSource(dataSourceOptions(database.url)).initialize();
  try {
    return (await dataSource.getRepository(User).findOneBy({ email }))?.passwordHash;
  } finally {
    await dataSource.destroy();
  }
}

describe('user:create', () => {
  for (const kind of databaseKinds()) {
    it(`reads the password from standard input, never from argv (${kind})`, async () => {
      await ensureBuilt();
      const database = await freshDatabase(kind);
      try {
        const run = await userCreate(['--email', 'ops@example.com', '--role', 'admin'], database, `${PASSWORD}\n`);
        expect(run.stderr).toBe('');
        expect(run.code).toBe(0);
        expect(run.stdout).toMatch(/^Created user \d+ ops@example.com with role admin/);
        expect(run.cmdline).toContain('--email ops@example.com');
        expect(run.cmdline).not.toContain(PASSWORD);
        const hash = await storedHash(database, 'ops@example.com');
        expect(await new PasswordHasher().verify(hash!, PASSWORD)).toBe(true);
      } finally {
        await database.drop();
      }
    });
  }

  it('refuses an empty standard input, and a short password', async () => {
    await ensureBuilt();
    const database = await freshDatabase('sqlite');
    try {
      const empty = await userCreate(['--email', 'ops@example.com'], database, '');
      expect(empty.code).toBe(2);
      expect(empty.stderr).toContain('a password of at least 8 characters is required');
      const short = await userCreate(['--email', 'ops@example.com'], database, 'short\n');
      expect(short.code).toBe(2);
      expect(short.stdout).not.toContain('Created');
    } finally {
      await database.drop();
    }
  });

  it('prompts on a terminal without echoing what is typed', async () => {
    await ensureBuilt();
    const database = await freshDatabase('sqlite');
    try {
      // util-linux `script` gives the process a pseudo-terminal; whatever the terminal echoes comes back on its stdout.
      const child = spawn(
        'script',
        ['-qec', `'${process.execPath}' '${userCreateJs}' --email tty@example.com`, '/dev/null'],
        {
          cwd: repoRoot,
          env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', DATABASE_URL: database.url },
          stdio: ['pipe', 'pipe', 'pipe'],
        },
      );
      let output = '';
      let typed = false;
      const exited = new Promise<number | null>((done) => child.on('exit', done));
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
        if (!typed && output.includes('Password: ')) {
          typed = true;
          child.stdin.write(`${PASSWORD}\r`);
        }
      });
      const code = await exited;
      child.stdin.destroy();
      expect(output).toContain('Created user');
      expect(code).toBe(0);
      expect(output).not.toContain(PASSWORD);
      expect(await new PasswordHasher().verify((await storedHash(database, 'tty@example.com'))!, PASSWORD)).toBe(true);
    } finally {
      await database.drop();
    }
  });

  it('still takes --password (contract §2) but warns on stderr that argv is visible', async () => {
    await ensureBuilt();
    const database = await freshDatabase('sqlite');
    try {
      const run = await userCreate(['--email', 'ops@example.com', '--password', PASSWORD], database, '');
      expect(run.code).toBe(0);
      expect(run.stderr).toContain('warning: --password puts the password in the process list and your shell history');
      expect(run.stdout).not.toContain(PASSWORD);
      expect(await new PasswordHasher().verify((await storedHash(database, 'ops@example.com'))!, PASSWORD)).toBe(true);
    } finally {
      await database.drop();
    }
  });
});
