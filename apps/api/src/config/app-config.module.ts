import { type DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AppConfig } from './env.js';

/**
 * Makes the already-validated configuration injectable everywhere: as `AppConfig` (typed, preferred)
 * and through @nestjs/config's `ConfigService`. Validation happens before Nest starts (`loadConfig`),
 * not via ConfigModule's `validate` option, because that option copies values back into process.env
 * and test processes build several apps with different settings side by side.
 */
@Global()
@Module({})
export class AppConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppConfigModule,
      imports: [
        ConfigModule.forRoot({
          ignoreEnvFile: true,
          validatePredefined: false,
          skipProcessEnv: true,
          load: [() => ({ ...config })],
        }),
      ],
      providers: [{ provide: AppConfig, useValue: config }],
      exports: [AppConfig, ConfigModule],
    };
  }
}
