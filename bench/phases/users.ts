/** Bench users: registered and logged in through the public REST API, as real clients would. */
import { randomBytes } from 'node:crypto';
import { DEMO_PASSWORD, DEMO_USERS } from '@gavel/config';
import type { BenchUser } from '../context.js';
import type { Progress } from '../progress.js';
import { mapConcurrent, requestJson } from '../rest.js';

interface UserResponse {
  id: number | string;
  email: string;
}

interface TokenResponse {
  accessToken: string;
}

// argon2 hashing runs on libuv's thread pool; more than a few at once only queues.
const CONCURRENCY = 4;

export async function createUsers(apiUrl: string, count: number, progress: Progress): Promise<BenchUser[]> {
  const run = randomBytes(3).toString('hex');
  const password = `bench-${randomBytes(8).toString('hex')}`;
  let done = 0;
  return mapConcurrent(
    Array.from({ length: count }, (_, i) => i),
    CONCURRENCY,
    async (i) => {
      const user = await registerAndLogin(apiUrl, `bench-${run}-${i}@bench.test`, password, `Bench user ${i}`);
      done++;
      progress.update(`users: ${done}/${count} registered and logged in`);
      return user;
    },
  );
}

export async function registerAndLogin(
  apiUrl: string,
  email: string,
  password: string,
  displayName: string,
): Promise<BenchUser> {
  const created = await requestJson<UserResponse>(apiUrl, 'POST', '/auth/register', {
    body: { email, password, displayName },
  });
  const { accessToken } = await requestJson<TokenResponse>(apiUrl, 'POST', '/auth/login', {
    body: { email, password },
  });
  return { id: created.id, email, token: accessToken };
}

/** The admin seeded in development (the bench stack runs with NODE_ENV=development). */
export async function loginDemoAdmin(apiUrl: string): Promise<string> {
  const admin = DEMO_USERS.find((user) => user.role === 'admin');
  if (!admin) throw new Error('no demo admin in dev-defaults');
  const { accessToken } = await requestJson<TokenResponse>(apiUrl, 'POST', '/auth/login', {
    body: { email: admin.email, password: DEMO_PASSWORD },
  });
  return accessToken;
}
