import { Global, Module } from '@nestjs/common';
import { PushModule } from '../push/push.module.js';
import { SocketConnectionModule } from '../socket-connection/socket-connection.module.js';
import { AppMetrics } from './app-metrics.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsRegistry } from './metrics.registry.js';
import { MetricsTokenGuard } from './metrics-token.guard.js';

/** GET /metrics. Global: the push module's management-API client reports its latency to MetricsRegistry. */
@Global()
@Module({
  imports: [PushModule, SocketConnectionModule],
  controllers: [MetricsController],
  providers: [MetricsRegistry, AppMetrics, MetricsTokenGuard],
  exports: [MetricsRegistry],
})
export class MetricsModule {}
