import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ValidationPipe } from '@nestjs/common';
import { HttpExceptionFilter } from './common/http-exception.filter.js';
import { ApiKeyGuard } from './common/guards/api-key.guard.js';
import { rateLimitOptions } from './common/guards/rate-limit.guard.js';
import { RolesGuard } from './common/guards/roles.guard.js';
import { AppConfigModule } from './config/app-config.module.js';
import { AppConfig } from './config/env.js';
import { dataSourceOptions } from './database/data-source.js';
import { AccountModule } from './modules/account/account.module.js';
import { AdminModule } from './modules/admin/admin.module.js';
import { AuctionModule } from './modules/auction/auction.module.js';
import { AuthModule } from './modules/auth/auth.module.js';
import { ChannelModule } from './modules/channel/channel.module.js';
import { JwtAuthGuard } from './modules/auth/jwt-auth.guard.js';
import { HealthModule } from './modules/health/health.module.js';
import { MetricsModule } from './modules/metrics/metrics.module.js';
import { NotificationModule } from './modules/notification/notification.module.js';
import { DatabaseThrottlerStorage } from './modules/rate-limit/database-throttler-storage.js';
import { RateLimitModule } from './modules/rate-limit/rate-limit.module.js';
import { PushModule } from './modules/push/push.module.js';
import { SocketConnectionModule } from './modules/socket-connection/socket-connection.module.js';
import { UserModule } from './modules/user/user.module.js';

/** Feature modules of the API. Add new ones here. */
export const FEATURE_MODULES = [
  UserModule,
  AuthModule,
  SocketConnectionModule,
  HealthModule,
  PushModule,
  NotificationModule,
  AuctionModule,
  ChannelModule,
  AdminModule,
  MetricsModule,
  AccountModule,
];

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        TypeOrmModule.forRoot({ ...dataSourceOptions(config.databaseUrl), retryAttempts: 3, retryDelay: 1000 }),
        // Global: the routes that opt in with @RateLimit(...) count in the database, shared by every API copy.
        ThrottlerModule.forRootAsync({
          imports: [RateLimitModule],
          inject: [DatabaseThrottlerStorage],
          useFactory: (storage: DatabaseThrottlerStorage) => ({ ...rateLimitOptions(config), storage }),
        }),
        ...FEATURE_MODULES,
      ],
      providers: [
        // Global guards run in this order: API key first (a bad key is 403 even with a bad JWT), then JWT, then roles.
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        { provide: APP_GUARD, useClass: RolesGuard },
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
        {
          provide: APP_PIPE,
          useValue: new ValidationPipe({
            whitelist: true,
            forbidNonWhitelisted: true,
            transform: true,
            stopAtFirstError: false,
          }),
        },
      ],
    };
  }
}
