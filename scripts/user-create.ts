/**
 * `npm run user:create -- --email E --password P [--role admin|premium|user] [--name N] [--reset-password]`
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

const USAGE = 'usage: npm run user:create -- --email E --password P [--role admin|premium|user] [--name N] [--reset-password]';

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
  const { email, password, role, name } = values;
  if (!email || !/^[^\s@]+@[^\s@]+$/.test(email)) fail('--email is required and must be an email address');
  if (!password || password.length < 8) fail('--password is required and must have at least 8 characters');
  if (!isRole(role)) fail(`--role must be one of ${ROLES.join(', ')}`);

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
    const passwordNote = created ? '' : values['reset-password'] ? ', password reset' : ' (password unchanged; --reset-password changes it)';
    console.log(`${created ? 'Created' : 'Updated'} user ${user.id} ${user.email} with role ${role}${passwordNote}`);
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
