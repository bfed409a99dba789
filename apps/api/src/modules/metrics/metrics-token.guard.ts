import { type CanActivate, type ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import { secretsEqual } from '../../common/constant-time.js';
import { AppConfig } from '../../config/env.js';

/** `GET /metrics`: open without METRICS_TOKEN; with it, only `Authorization: Bearer <METRICS_TOKEN>` (constant-time). */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  constructor(private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.config.metricsToken;
    if (expected === undefined) return true;
    const header = context.switchToHttp().getRequest<Request>().headers.authorization;
    const given = /^Bearer (\S+)$/i.exec(header ?? '')?.[1];
    if (!secretsEqual(given, expected)) throw new UnauthorizedException('Missing or invalid metrics token');
    return true;
  }
}
