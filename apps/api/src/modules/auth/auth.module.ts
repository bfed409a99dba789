import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { ThrottlerModule } from '@nestjs/throttler';
import { AppConfig } from '../../config/env.js';
import { UserModule } from '../user/user.module.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { JwtStrategy } from './jwt.strategy.js';
import { LoginThrottlerGuard } from './login-throttler.guard.js';

@Module({
  imports: [
    UserModule,
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        secret: config.jwtSecret,
        signOptions: { algorithm: 'HS256', expiresIn: config.jwtExpiresInSeconds },
      }),
    }),
    // Only the login route uses the throttler guard (LoginThrottlerGuard); limits come from config.
    ThrottlerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({ throttlers: [{ name: 'login', ttl: config.loginRateWindowMs, limit: config.loginRateLimit }] }),
    }),
  ],
  controllers: [AuthController],
  // JwtStrategy registers itself with passport as 'jwt' for the global JwtAuthGuard.
  providers: [AuthService, JwtStrategy, LoginThrottlerGuard],
  exports: [JwtModule],
})
export class AuthModule {}
