import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';

/** Login attempts are limited per client IP and email, so one attacker cannot lock out everyone. */
@Injectable()
export class LoginThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(request: { ip?: string; body?: { email?: unknown } }): Promise<string> {
    const email = typeof request.body?.email === 'string' ? request.body.email.toLowerCase() : '';
    return `${request.ip ?? 'unknown'}|${email}`;
  }
}
