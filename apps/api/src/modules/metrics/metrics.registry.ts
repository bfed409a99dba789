import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { ManagementCallObserver } from '../push/management-api/index.js';

/** Requests not matched by any route (404s, scanners, static files) share this one `route` label. */
export const UNMATCHED_ROUTE = 'unmatched';
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Seconds: a bid or a login answers in milliseconds; the top buckets catch a database that stalls. */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** PostToConnection on AWS answers in ~5–30 ms from the same region; 10 s is the client's request timeout. */
const MANAGEMENT_BUCKETS = [0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

/** The process's own metrics (CPU, memory, event-loop lag, GC), when collected. */
let processMetrics: Registry | undefined;

/**
 * The API's Prometheus registry: one per app instance (not prom-client's global one), so every test
 * harness that builds an app gets its own counters. Holds the metrics other modules feed directly
 * (HTTP and management-API latency), and the process's own when asked; app-metrics.ts adds the ones read on scrape.
 */
@Injectable()
export class MetricsRegistry {
  readonly registry = new Registry();
  readonly contentType = this.registry.contentType;

  private readonly httpDuration = new Histogram({
    name: 'gavel_http_request_duration_seconds',
    help: 'HTTP requests by route template (not raw URL), method and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: HTTP_BUCKETS,
    registers: [this.registry],
  });

  private readonly managementDuration = new Histogram({
    name: 'gavel_management_api_request_duration_seconds',
    help: 'API Gateway management API calls (post/get/delete @connections) by result',
    labelNames: ['operation', 'result'] as const,
    buckets: MANAGEMENT_BUCKETS,
    registers: [this.registry],
  });

  /**
   * Adds the process's CPU, memory, event-loop and GC metrics — once per process (main.ts asks): each
   * collection installs a GC observer and an event-loop monitor that prom-client can never remove, which
   * would keep every test process that builds an app from exiting cleanly.
   */
  collectProcessMetrics(): void {
    processMetrics ??= (() => {
      const registry = new Registry();
      collectDefaultMetrics({ register: registry });
      return registry;
    })();
  }

  /** Times every request and labels it with the Express route template it matched, once it is answered. */
  httpMiddleware(): (req: Request, res: Response, next: NextFunction) => void {
    return (req, res, next) => {
      const end = this.httpDuration.startTimer();
      res.on('finish', () => {
        const routePath = (req.route as { path?: unknown } | undefined)?.path;
        end({
          method: KNOWN_METHODS.has(req.method) ? req.method : 'OTHER',
          route: typeof routePath === 'string' ? `${req.baseUrl}${routePath}` : UNMATCHED_ROUTE,
          status: String(res.statusCode),
        });
      });
      next();
    };
  }

  readonly observeManagementCall: ManagementCallObserver = (operation, result, seconds) => {
    this.managementDuration.observe({ operation, result }, seconds);
  };

  render(): Promise<string> {
    return processMetrics ? Registry.merge([processMetrics, this.registry]).metrics() : this.registry.metrics();
  }
}
