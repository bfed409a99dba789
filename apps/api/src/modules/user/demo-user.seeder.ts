import { Injectable, Logger } from '@nestjs/common';
import { DEMO_PASSWORD, DEMO_USERS } from '../../config/dev-defaults.js';
import { UserRepository } from './user.repository.js';
import { UserService } from './user.service.js';

/** Development only: makes sure the demo logins exist (idempotent; never touches other users). */
@Injectable()
export class DemoUserSeeder {
  private readonly logger = new Logger('Seed');

  constructor(
    private readonly users: UserService,
    private readonly repository: UserRepository,
  ) {}

  async seed(): Promise<void> {
    let created = 0;
    for (const demo of DEMO_USERS) {
      if (await this.repository.findByEmail(demo.email)) continue;
      await this.users.createOrUpdate({ ...demo, password: DEMO_PASSWORD, resetPassword: false });
      created += 1;
    }
    this.logger.log(`Demo logins (password "${DEMO_PASSWORD}"): ${DEMO_USERS.map((u) => `${u.email} (${u.role})`).join(', ')}${created ? `; ${created} created` : ''}`);
  }
}
