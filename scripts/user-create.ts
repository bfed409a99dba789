/**
 * `npm run user:create -- --email E [--role admin|premium|user] [--name N] [--reset-password]`, the password
 * typed at a prompt (no echo) or, when standard input is not a terminal, its first line:
 * `printf '%s\n' "$PW" | npm run user:create -- --email E`. `--password P` still works (contract §2) but
 * warns: argv shows in process lists and shell history.
 * Creates the user in the DATABASE_URL database (applying pending migrations first), or — when the email
 * exists — sets its role (and its password only with --reset-password). How an operator makes the first admin.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import { isRole, ROLES } from '../apps/api/src/common/auth-user.js';
import { ConfigValidationError, loadConfig } from '../apps/api/src/config/env.js';
import { dataSourceOptions } from '../apps/api/src/database/data-source.js';
import { runPendingMigrations } from '../apps/api/src/database/migrate.js';
import { PasswordHasher } from '../apps/api/src/modules/user/password-hasher.js';
import { User } from '../apps/api/src/modules/user/user.entity.js';
import { UserRepository } from '../apps/api/src/modules/user/user.repository.js';
import { UserService } from '../apps/api/src/modules/user/user.service.js';

const USAGE =
  'usage: npm run user:create -- --email E [--role admin|premium|user] [--name N] [--reset-password]\n' +
  '       the password is read from a prompt, or from the first line of standard input when it is not a terminal';
const ARGV_WARNING =
  'warning: --password puts the password in the process list and your shell history; ' +
  'prefer standard input: printf \'%s\\n\' "$PASSWORD" | npm run user:create -- --email E';

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        email: { type: 'string' },
        password: { type: 'string' },
        role: { type: 'string', default: 'user' },
        name: { type: 'string' },
        'reset-password': { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  const { email, role, name } = values;
  if (!email || !/^[^\s@]+@[^\s@]+$/.test(email)) fail('--email is required and must be an email address');
  if (!isRole(role)) fail(`--role must be one of ${ROLES.join(', ')}`);
  let password = values.password;
  if (password !== undefined) console.error(ARGV_WARNING);
  else password = process.stdin.isTTY ? await promptHidden('Password: ') : await firstLineOfStdin();
  if (!password || password.length < 8) fail('a password of at least 8 characters is required');

  let databaseUrl: string;
  try {
    databaseUrl = loadConfig().databaseUrl;
  } catch (error) {
    if (error instanceof ConfigValidationError) fail(error.message);
    throw error;
  }
  const dataSource = await new DataSource(dataSourceOptions(databaseUrl)).initialize();
  try {
    await runPendingMigrations(dataSource);
    const repository = new UserRepository(dataSource.getRepository(User));
    const users = new UserService(repository, new PasswordHasher());
    const { user, created } = await users.createOrUpdate({
      email,
      password,
      role,
      displayName: name ?? email.split('@')[0]!,
      resetPassword: values['reset-password'] ?? false,
    });
    const passwordNote = created
      ? ''
      : values['reset-password']
        ? ', password reset'
        : ' (password unchanged; --reset-password changes it)';
    console.log(`${created ? 'Created' : 'Updated'} user ${user.id} ${user.email} with role ${role}${passwordNote}`);
  } finally {
    await dataSource.destroy();
  }
}

/** The first line of standard input (without its line ending); empty when stdin is empty or closed. */
async function firstLineOfStdin(): Promise<string> {
  let text = '';
  process.stdin.setEncoding('utf8');
  for await (const chunk of process.stdin) {
    text += chunk as string;
    if (text.includes('\n')) break;
  }
  process.stdin.destroy();
  return text.split(/\r?\n/, 1)[0] ?? '';
}

/** Reads one line from the terminal without echoing it. Ctrl-C aborts. */
function promptHidden(prompt: string): Promise<string> {
  return new Promise((resolve) => {
    const stdin = process.stdin;
    // Echo off before the prompt shows: whatever is typed once it appears must never be echoed.
    stdin.setRawMode(true);
    process.stderr.write(prompt);
    stdin.setEncoding('utf8');
    let typed = '';
    const finish = (result: string | undefined) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (result === undefined) process.exit(130);
      resolve(result);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n' || char === '\u0004') return finish(typed);
        if (char === '\u0003') return finish(undefined);
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else if (char >= ' ') typed += char;
      }
    };
    stdin.on('data', onData);
    stdin.resume();
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
