import { Module } from '@nestjs/common';
import { AppConfig } from '../../config/env.js';
import { MetricsRegistry } from '../metrics/metrics.registry.js';
import { SocketConnectionModule } from '../socket-connection/socket-connection.module.js';
import { SocketConnectionRepository } from '../socket-connection/socket-connection.repository.js';
import { SubscriptionRepository } from '../socket-connection/subscription.repository.js';
import { ManagementApiClient } from './management-api/index.js';
import { PushCounterRepository } from './push-counter.repository.js';
import { PushCounterStore } from './push-counter.store.js';
import { PushStats } from './push-stats.js';
import {
  CONNECTION_DIRECTORY,
  DEFAULT_PUSH_TUNING,
  PUSH_TUNING,
  PushService,
  type PushTuning,
  SUBSCRIBER_DIRECTORY,
} from './push.service.js';

@Module({
  imports: [SocketConnectionModule],
  providers: [
    PushStats,
    PushCounterRepository,
    PushCounterStore,
    { provide: PUSH_TUNING, useValue: DEFAULT_PUSH_TUNING },
    {
      provide: ManagementApiClient,
      // MetricsRegistry comes from the global MetricsModule; harnesses built without it get no latency metrics.
      inject: [AppConfig, PUSH_TUNING, { token: MetricsRegistry, optional: true }],
      useFactory: (config: AppConfig, tuning: PushTuning, metrics?: MetricsRegistry) =>
        new ManagementApiClient({
          endpoint: config.apigwEndpoint,
          region: config.awsRegion,
          credentials:
            config.awsAccessKeyId && config.awsSecretAccessKey
              ? { accessKeyId: config.awsAccessKeyId, secretAccessKey: config.awsSecretAccessKey }
              : undefined,
          connections: tuning.concurrency,
          requestTimeoutMs: 10_000,
          observe: metrics?.observeManagementCall,
        }),
    },
    { provide: CONNECTION_DIRECTORY, useExisting: SocketConnectionRepository },
    { provide: SUBSCRIBER_DIRECTORY, useExisting: SubscriptionRepository },
    PushService,
  ],
  exports: [PushService, PushStats, PushCounterStore],
})
export class PushModule {}
