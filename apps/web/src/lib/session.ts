import type { LoginAnswer, User } from './api-types.js';
import { Observable } from './observable.js';
import { storage } from './storage.js';

export interface Session {
  token: string;
  /** Epoch ms after which the token is refused; the page signs out a little before. */
  expiresAt: number;
  user: User;
}

const KEY = 'gavel.session';

/** The signed-in user and their JWT, kept in localStorage so a reload keeps the session. */
export class SessionStore {
  readonly current = new Observable<Session | null>(null);
  /** Why the last session ended, shown on the sign-in page ("Your session expired"). */
  signOutReason: string | null = null;

  restore(now = Date.now()): Session | null {
    const saved = storage.get<Session>(KEY);
    if (saved && typeof saved.token === 'string' && saved.user && saved.expiresAt > now + 10_000) {
      this.current.set(saved);
      return saved;
    }
    storage.remove(KEY);
    return null;
  }

  start(login: LoginAnswer, user: User, now = Date.now()): Session {
    const session: Session = { token: login.accessToken, expiresAt: tokenExpiry(login, now), user };
    storage.set(KEY, session);
    this.signOutReason = null;
    this.current.set(session);
    return session;
  }

  end(reason: string | null = null): void {
    storage.remove(KEY);
    this.signOutReason = reason;
    this.current.set(null);
  }

  get token(): string | null {
    return this.current.value?.token ?? null;
  }
}

/** The JWT's own `exp` wins; else `expiresIn` (seconds, or "1h"-style); else one hour. */
export function tokenExpiry(login: LoginAnswer, now: number): number {
  const exp = jwtExp(login.accessToken);
  if (exp) return exp * 1000;
  const seconds = durationSeconds(login.expiresIn);
  return now + (seconds ?? 3600) * 1000;
}

function jwtExp(token: string): number | undefined {
  try {
    const payload = token.split('.')[1];
    if (!payload) return undefined;
    const json = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: unknown };
    return typeof json.exp === 'number' ? json.exp : undefined;
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
