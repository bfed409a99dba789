import { Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

const logger = new Logger('HTTP');

/**
 * One structured log line per request: method, path (no query string), status, duration, client IP (from
 * X-Forwarded-For only as far as TRUST_PROXY allows). Headers and bodies are never logged — they carry
 * tokens, API keys and passwords.
 */
export function requestLogger(req: Request, res: Response, next: NextFunction): void {
  const started = process.hrtime.bigint();
  res.on('finish', () => {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const path = (req.originalUrl ?? req.url).split('?')[0];
    logger.log({ method: req.method, path, status: res.statusCode, ms: Math.round(ms * 10) / 10, ip: req.ip });
  });
  next();
}
