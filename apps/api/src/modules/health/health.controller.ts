import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, type HealthCheckResult, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '../../common/decorators/public.decorator.js';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
  ) {}

  /** 200 when the database answers a ping, 503 otherwise. */
  @Public()
  @Get()
  @HealthCheck()
  async check() {
    try {
      return await this.health.check([() => this.database.pingCheck('database', { timeout: 2000 })]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      // Nest's error shape (contract §4), keeping terminus's per-check details.
      const report = error.getResponse() as HealthCheckResult;
      throw new ServiceUnavailableException({
        message: 'Database is not answering',
        error: 'Service Unavailable',
        status: report.status,
        details: report.details,
      });
    }
  }
}
