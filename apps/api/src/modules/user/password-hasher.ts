import { Injectable, Optional } from '@nestjs/common';
import argon2 from 'argon2';
import { FairLimiter, LimiterFullError } from '../../common/fair-limiter.js';
import { AppConfig } from '../../config/env.js';
import { PasswordWorkBusyError } from './user.errors.js';

// OWASP's argon2id baseline (19 MiB, 2 passes): strong, yet cheap enough for demo seeding and tests.
const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Queue bounds: 32 logins waiting from one client IP, 256 in all (about 4 s of hashing on two threads). */
const MAX_WAITING_PER_CLIENT = 32;
const MAX_WAITING = 256;

/** The key of work no client asked for (start-up seed, `npm run user:create`). */
export const INTERNAL_CLIENT = 'internal';

/**
 * argon2 behind a fair, bounded queue. Each hash holds a libuv threadpool thread for tens of
 * milliseconds; unbounded, 300 logins for random e-mails queued ahead of every other login and of every
 * file read (static files, fs) in the process. Now at most `passwordHashConcurrency` run at once, clients
 * (by IP) are served round robin, and beyond the queue's bounds a request is answered 503.
 */
@Injectable()
export class PasswordHasher {
  private dummyHash?: Promise<string>;
  private readonly limiter: FairLimiter;

  constructor(@Optional() config?: AppConfig) {
    this.limiter = new FairLimiter({
      concurrency: config?.passwordHashConcurrency ?? 2,
      maxWaitingPerKey: MAX_WAITING_PER_CLIENT,
      maxWaiting: MAX_WAITING,
    });
  }

  hash(password: string, client = INTERNAL_CLIENT): Promise<string> {
    return this.bounded(client, () => argon2.hash(password, OPTIONS));
  }

  async verify(hash: string, password: string, client = INTERNAL_CLIENT): Promise<boolean> {
    return this.bounded(client, async () => {
      try {
        return await argon2.verify(hash, password);
      } catch {
        return false;
      }
    });
  }

  /** Spends the same time (and queue place) as a real check, so a login for an unknown email is not faster than a wrong password. */
  async verifyAgainstDummy(password: string, client = INTERNAL_CLIENT): Promise<false> {
    this.dummyHash ??= argon2.hash('not-a-real-password', OPTIONS);
    await this.verify(await this.dummyHash, password, client);
    return false;
  }

  private async bounded<T>(client: string, work: () => Promise<T>): Promise<T> {
    try {
      return await this.limiter.run(client, work);
    } catch (error) {
      if (error instanceof LimiterFullError) throw new PasswordWorkBusyError();
      throw error;
    }
  }
}
