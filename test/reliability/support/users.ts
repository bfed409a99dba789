/** Registering and logging in many test users against a running API, a few at a time (password hashing is deliberately slow). */
import { http, login } from './http.js';

export interface TestUser {
  id: number;
  email: string;
  token: string;
}

const PASSWORD = 'reliability-pass-1';

export async function createUsers(apiUrl: string, count: number, prefix: string, concurrency = 8): Promise<TestUser[]> {
  const users: TestUser[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const email = `${prefix}${index}@gavel.test`;
      const registered = await http(apiUrl, '/auth/register', {
        body: { email, password: PASSWORD, displayName: `${prefix} ${index}` },
      });
      if (registered.status !== 201) throw new Error(`register ${email}: ${registered.status} ${registered.text}`);
      users[index] = { id: registered.body.id, email, token: await login(apiUrl, email, PASSWORD) };
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return users;
}

/** Runs `task` over `items` with at most `concurrency` in flight. */
export async function inBatches<T>(
  items: readonly T[],
  concurrency: number,
  task: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await task(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
