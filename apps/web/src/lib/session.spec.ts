import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { LoginAnswer, User } from './api-types.js';
import { refreshMargin, SessionStore, type SessionTransport } from './session.js';

const user: User = { id: 1, email: 'a@example.test', displayName: 'A', roles: ['user'] } as User;
let serial = 0;
/** A JWT-shaped token (the page reads `exp` and `iat`, never the signature). */
function token(lifetimeS: number, issuedAt = Date.now()): LoginAnswer {
  const iat = Math.floor(issuedAt / 1000);
  const payload = Buffer.from(JSON.stringify({ sub: 1, n: ++serial, iat, exp: iat + lifetimeS })).toString('base64url');
  return { accessToken: `e30.${payload}.sig`, tokenType: 'Bearer', expiresIn: lifetimeS } as LoginAnswer;
}

/** One tab's view of the shared browser: localStorage and the Web Locks API (requests queue, one at a time). */
function sharedLocks() {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    request<T>(_name: string, callback: () => Promise<T>): Promise<T> {
      const run = tail.then(callback);
      tail = run.catch(() => undefined);
      return run;
    },
  };
}

function transport(
  answers: (LoginAnswer | null)[],
): SessionTransport & { refresh: jest.Mock<SessionTransport['refresh']> } {
  return {
    refresh: jest.fn(async () => {
      await new Promise((resolve) => setImmediate(resolve)); // a network round trip: other tabs run meanwhile
      return answers.shift() ?? null;
    }),
    me: async () => user,
    logout: jest.fn(async () => undefined),
  };
}

describe(SessionStore.name, () => {
  beforeEach(() => {
    const data = new Map<string, string>();
    (globalThis as { localStorage?: unknown }).localStorage = {
      getItem: (key: string) => data.get(key) ?? null,
      setItem: (key: string, value: string) => void data.set(key, value),
      removeItem: (key: string) => void data.delete(key),
    };
  });
  afterEach(() => {
    delete (globalThis as { localStorage?: unknown }).localStorage;
  });

  it('returns the stored token while it is fresh, and refreshes within the margin', async () => {
    const session = new SessionStore(sharedLocks());
    const net = transport([token(3600)]);
    session.connect(net);
    const first = session.start(token(3600), user);
    expect(await session.freshToken()).toBe(first.token);
    expect(net.refresh).not.toHaveBeenCalled();
    const renewed = await session.freshToken(first.expiresAt - 30_000);
    expect(net.refresh).toHaveBeenCalledTimes(1);
    expect(renewed).not.toBe(first.token);
    expect(session.token).toBe(renewed);
  });

  it('sizes the margin to half of a short-lived token, 60 s otherwise', () => {
    expect(refreshMargin({ issuedAt: 0, expiresAt: 20_000 })).toBe(10_000);
    expect(refreshMargin({ issuedAt: 0, expiresAt: 3_600_000 })).toBe(60_000);
  });

  it('two tabs refreshing at once rotate the cookie once: the second uses the token the first stored', async () => {
    const locks = sharedLocks();
    const net = transport([token(20), token(20)]);
    const [a, b] = [new SessionStore(locks), new SessionStore(locks)];
    a.connect(net);
    b.connect(net);
    const stale = a.start(token(20, Date.now() - 15_000), user);
    b.syncFromStorage();
    expect(b.token).toBe(stale.token);
    const [ta, tb] = await Promise.all([a.freshToken(), b.freshToken()]);
    expect(net.refresh).toHaveBeenCalledTimes(1);
    expect(ta).not.toBe(stale.token);
    expect(tb).toBe(ta);
  });

  it('a refused refresh (401) signs out with a reason; a deliberate sign-out revokes the cookie', async () => {
    const session = new SessionStore(sharedLocks());
    const net = transport([null]);
    session.connect(net);
    session.start(token(20, Date.now() - 19_000), user);
    expect(await session.freshToken()).toBeNull();
    expect(session.current.value).toBeNull();
    expect(session.signOutReason).toMatch(/expired/);

    session.start(token(3600), user);
    await session.end();
    expect(net.logout).toHaveBeenCalledTimes(1);
    expect(session.current.value).toBeNull();
    expect(await session.freshToken()).toBeNull(); // signed out: no refresh attempt
    expect(net.refresh).toHaveBeenCalledTimes(1);
    // After a deliberate sign-out a reload does not use the cookie (even if logout could not reach the API).
    expect(await new SessionStore(sharedLocks()).restore()).toBeNull();
  });

  it('on load without a usable token it refreshes once with the cookie and loads the user', async () => {
    const net = transport([token(3600)]);
    const session = new SessionStore(sharedLocks());
    session.connect(net);
    // Never signed in on this browser: no cookie to try, no request.
    expect(await session.restore()).toBeNull();
    expect(net.refresh).not.toHaveBeenCalled();
    localStorage.setItem('gavel.mayRefresh', 'true'); // a sign-in earlier (the cookie outlives the access token)
    const restored = await session.restore();
    expect(net.refresh).toHaveBeenCalledTimes(1);
    expect(restored?.user).toEqual(user);
    expect(await session.freshToken()).toBe(restored?.token);

    const none = new SessionStore(sharedLocks());
    none.connect(transport([null]));
    localStorage.removeItem('gavel.session');
    localStorage.setItem('gavel.mayRefresh', 'true');
    expect(await none.restore()).toBeNull();
    expect(none.signOutReason).toBeNull(); // never signed in here: no "expired" message
  });
});
