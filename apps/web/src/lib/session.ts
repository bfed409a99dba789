import type { LoginAnswer, User } from './api-types.js';
import { Observable } from './observable.js';
import { storage } from './storage.js';

export interface Session {
  token: string;
  /** Epoch ms after which the token is refused. */
  expiresAt: number;
  /** Epoch ms when the token was issued (its `iat`), to size the refresh margin for short-lived tokens. */
  issuedAt?: number;
  user: User;
}

const KEY = 'gavel.session';
/**
 * Set while this browser holds a refresh cookie (signed in, not signed out since): the HttpOnly cookie is
 * invisible to script, and without the mark every visit to the sign-in page would ask /auth/refresh for a 401.
 * A deliberate sign-out clears it, so a reload never signs in again even if logout could not reach the API.
 */
const MAY_REFRESH_KEY = 'gavel.mayRefresh';
/** Held while one tab refreshes, so two tabs never present the same refresh cookie (that counts as reuse). */
const LOCK_NAME = 'gavel-refresh';
/** A token closer than this to its `exp` is refreshed before use. */
const REFRESH_MARGIN_MS = 60_000;
const EXPIRED_MESSAGE = 'Your session expired. Please sign in again.';

/** What the session needs from the network: the refresh and logout calls and loading the user. */
export interface SessionTransport {
  /** POST /auth/refresh with the cookie: the login answer, or null when the API refused it (401). Throws otherwise. */
  refresh(): Promise<LoginAnswer | null>;
  /** GET /auth/me with this token. */
  me(token: string): Promise<User>;
  /** POST /auth/logout (revokes the cookie's family and clears it). */
  logout(): Promise<void>;
}

/** The subset of the Web Locks API the session uses (absent outside secure contexts). */
interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/**
 * The signed-in user and a short-lived access token. The access token sits in localStorage so every tab of
 * the browser shares it; the long-lived refresh token is an HttpOnly cookie the page cannot read. `freshToken()`
 * is the one place a token comes from: it refreshes near `exp`, one tab at a time (Web Locks), and a tab that
 * finds a token another tab just got uses that one instead of rotating the cookie again.
 */
export class SessionStore {
  readonly current = new Observable<Session | null>(null);
  /** Why the last session ended, shown on the sign-in page ("Your session expired"). */
  signOutReason: string | null = null;
  private transport: SessionTransport | null = null;
  private inFlight: Promise<string | null> | null = null;

  constructor(private readonly locks: LockManagerLike | undefined = defaultLocks()) {}

  /** The network side (set once the REST client exists). */
  connect(transport: SessionTransport): void {
    this.transport = transport;
  }

  /**
   * Page load: the stored session if its token is still usable; else, unless the user signed out on purpose,
   * one refresh with the cookie (it keeps the user signed in across reloads and browser restarts).
   */
  async restore(now = Date.now()): Promise<Session | null> {
    const saved = readSaved();
    if (saved && saved.expiresAt - refreshMargin(saved) > now) {
      this.current.set(saved);
      return saved;
    }
    if (!storage.get<boolean>(MAY_REFRESH_KEY)) return this.clear(null);
    if (saved) this.current.set(saved); // the user, while the token is renewed
    await this.freshToken();
    const session = this.current.value;
    // The API could not be reached and the stored token is dead: show the sign-in page, not a broken one.
    if (session && session.expiresAt <= Date.now()) return this.clear(null);
    return session;
  }

  /** Another tab changed the stored session: follow it (a renewed token, or a sign-out there signs out here). */
  syncFromStorage(): void {
    const saved = readSaved();
    const current = this.current.value;
    if (!saved) {
      if (current) this.clear(null);
      return;
    }
    if (!current || saved.token !== current.token) this.current.set(saved);
  }

  start(login: LoginAnswer, user: User, now = Date.now()): Session {
    const session = toSession(login, user, now);
    storage.set(KEY, session);
    storage.set(MAY_REFRESH_KEY, true);
    this.signOutReason = null;
    this.current.set(session);
    return session;
  }

  /** Ends the session here; a deliberate sign-out (no reason) also revokes the refresh cookie first. */
  async end(reason: string | null = null): Promise<void> {
    if (reason === null) {
      storage.remove(MAY_REFRESH_KEY);
      if (this.transport) await this.transport.logout().catch(() => undefined);
    }
    this.clear(reason);
  }

  get token(): string | null {
    return this.current.value?.token ?? null;
  }

  /**
   * A token good for at least the refresh margin, or null when signed out. Near `exp` it refreshes: one tab
   * of the browser at a time, re-reading the stored token under the lock. A refused refresh (401) signs out;
   * a network failure keeps the current token while it is still valid (the next call tries again).
   */
  freshToken(now = Date.now()): Promise<string | null> {
    const session = this.current.value;
    if (session && session.expiresAt - refreshMargin(session) > now) return Promise.resolve(session.token);
    if (!this.transport) return Promise.resolve(session?.token ?? null);
    // Signed out and no cookie issued since: nothing to refresh with (no request, no 401).
    if (!session && !storage.get<boolean>(MAY_REFRESH_KEY)) return Promise.resolve(null);
    this.inFlight ??= this.refreshLocked(session?.token ?? null).finally(() => (this.inFlight = null));
    return this.inFlight;
  }

  private async refreshLocked(stale: string | null): Promise<string | null> {
    const run = () => this.refreshNow(stale);
    if (!this.locks) return run(); // no Web Locks (insecure context): one tab is safe, two may race
    return this.locks.request(LOCK_NAME, run);
  }

  private async refreshNow(stale: string | null): Promise<string | null> {
    const transport = this.transport!;
    const now = Date.now();
    // Another tab may have refreshed while this one waited for the lock: use its token.
    const saved = readSaved();
    if (saved && saved.token !== stale && saved.expiresAt - refreshMargin(saved) > now) {
      const user = this.current.value?.user;
      if (!user || String(user.id) === String(saved.user.id)) {
        this.current.set(saved);
        return saved.token;
      }
    }
    let answer: LoginAnswer | null;
    try {
      answer = await transport.refresh();
    } catch {
      const session = this.current.value;
      return session && session.expiresAt > Date.now() ? session.token : null;
    }
    if (!answer) {
      storage.remove(MAY_REFRESH_KEY);
      this.clear(this.current.value ? EXPIRED_MESSAGE : null);
      return null;
    }
    let user = this.current.value?.user;
    if (!user) {
      try {
        user = await transport.me(answer.accessToken);
      } catch {
        return null;
      }
    }
    const session = toSession(answer, user, Date.now());
    storage.set(KEY, session);
    this.current.set(session);
    return session.token;
  }

  private clear(reason: string | null): null {
    storage.remove(KEY);
    this.signOutReason = reason;
    this.current.set(null);
    return null;
  }
}

/** A token is refreshed this long before `exp`: 60 s, or half its lifetime when it lives shorter than 2 min. */
export function refreshMargin(session: Pick<Session, 'expiresAt' | 'issuedAt'>): number {
  const lifetime = session.issuedAt === undefined ? Infinity : session.expiresAt - session.issuedAt;
  return Math.min(REFRESH_MARGIN_MS, lifetime / 2);
}

function toSession(login: LoginAnswer, user: User, now: number): Session {
  const iat = jwtClaim(login.accessToken, 'iat');
  return {
    token: login.accessToken,
    expiresAt: tokenExpiry(login, now),
    issuedAt: iat ? iat * 1000 : now,
    user,
  };
}

function readSaved(): Session | null {
  const saved = storage.get<Session>(KEY);
  return saved && typeof saved.token === 'string' && saved.user && typeof saved.expiresAt === 'number' ? saved : null;
}

function defaultLocks(): LockManagerLike | undefined {
  const locks = (globalThis.navigator as { locks?: LockManagerLike } | undefined)?.locks;
  return locks && typeof locks.request === 'function' ? locks : undefined;
}

/** The JWT's own `exp` wins; else `expiresIn` (seconds, or "1h"-style); else one hour. */
export function tokenExpiry(login: LoginAnswer, now: number): number {
  const exp = jwtClaim(login.accessToken, 'exp');
  if (exp) return exp * 1000;
  const seconds = durationSeconds(login.expiresIn);
  return now + (seconds ?? 3600) * 1000;
}

function jwtClaim(token: string, claim: 'exp' | 'iat'): number | undefined {
  try {
    const payload = token.split('.')[1];
    if (!payload) return undefined;
    const json = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;
    return typeof json[claim] === 'number' ? json[claim] : undefined;
  } catch {
    return undefined;
  }
}

function durationSeconds(value: number | string | undefined): number | undefined {
  if (typeof value === 'number' && value > 0) return value;
  const match = typeof value === 'string' ? /^(\d+)\s*([smhd]?)$/.exec(value.trim()) : null;
  if (!match) return undefined;
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}
