import { Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { LogFormat } from '../config/env.js';

const logger = new Logger('HTTP');

/**
 * One structured log line per request: method, path (no query string), status, duration, client IP (from
 * X-Forwarded-For only as far as TRUST_PROXY allows). Headers and bodies are never logged — they carry
 * tokens, API keys and passwords. JSON logs get the fields as an object; readable logs one short line.
 */
export function requestLogger(format: LogFormat): (req: Request, res: Response, next: NextFunction) => void {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10;
      const path = (req.originalUrl ?? req.url).split('?')[0];
      if (format === 'json') logger.log({ method: req.method, path, status: res.statusCode, ms, ip: req.ip });
      else logger.log(`${req.method} ${path} ${res.statusCode} ${ms} ms ${req.ip ?? ''}`.trimEnd());
    });
    next();
  };
}
