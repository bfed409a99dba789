import { applyDecorators, type ExecutionContext, Injectable, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiTooManyRequestsResponse } from '@nestjs/swagger';
import {
  ThrottlerException,
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
} from '@nestjs/throttler';
import type { AppConfig } from '../../config/env.js';

/** The limits of contract §3, each keyed on its own tracker (see `trackerOf`). */
export type RateLimitName = 'login' | 'register' | 'bid';

const RATE_LIMIT = 'gavel:rate-limit';

/** The throttler's settings from the validated configuration (windows and counts: DatabaseThrottlerStorage). */
export function rateLimitOptions(config: AppConfig): ThrottlerModuleOptions {
  const throttler = (name: RateLimitName, { limit, windowMs }: { limit: number; windowMs: number }) => ({
    name,
    limit,
    ttl: windowMs,
  });
  return {
    throttlers: [
      throttler('login', config.loginRateLimit),
      throttler('register', config.registerRateLimit),
      throttler('bid', config.bidRateLimit),
    ],
    // Our own Retry-After (the throttler's would be `Retry-After-login` for a named limit).
    setHeaders: false,
  };
}

/** Applies the named limit to a route; over it the answer is 429 with `Retry-After` (seconds). */
export const RateLimit = (name: RateLimitName) =>
  applyDecorators(
    SetMetadata(RATE_LIMIT, name),
    UseGuards(RateLimitGuard),
    ApiTooManyRequestsResponse({ description: `Over the ${name} rate limit; see Retry-After` }),
  );

/**
 * @nestjs/throttler with one limit per route rather than every limit on every route. Runs after the
 * global guards, so a bid's user is known. Client IPs are Express's `req.ip`: the socket's address, or
 * with TRUST_PROXY the address that many proxies back in X-Forwarded-For.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const name = this.reflector.get<RateLimitName | undefined>(RATE_LIMIT, context.getHandler());
    const throttler = this.throttlers.find((t) => t.name === name);
    if (!name || !throttler)
      throw new Error(`No rate limit named ${String(name)} on ${context.getClass().name}.${context.getHandler().name}`);
    const ttl = throttler.ttl as number;
    return this.handleRequest({
      context,
      limit: throttler.limit as number,
      ttl,
      throttler,
      blockDuration: 0,
      getTracker: (req) => trackerOf(name, req),
      generateKey: (_context, tracker) => `${name}|${tracker}`,
    });
  }

  protected override async throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const { res } = this.getRequestResponse(context);
    const seconds = Math.max(1, detail.timeToBlockExpire);
    this.setResponseHeader(res, 'Retry-After', seconds);
    throw new ThrottlerException(`Too many requests, retry after ${seconds} s`);
  }
}

function trackerOf(
  name: RateLimitName,
  req: { ip?: string; body?: { email?: unknown }; user?: { id?: unknown } },
): string {
  const ip = String(req.ip ?? 'unknown');
  switch (name) {
    case 'login':
      return `${ip}|${typeof req.body?.email === 'string' ? req.body.email.toLowerCase() : ''}`;
    case 'register':
      return ip;
    case 'bid':
      return `user:${String(req.user?.id)}`;
  }
}
