import { Injectable, Logger } from '@nestjs/common';
import { DEMO_PASSWORD, DEMO_USERS } from '@gavel/config';
import { PasswordHasher } from './password-hasher.js';
import { UserRepository } from './user.repository.js';
import { UserService } from './user.service.js';

/**
 * Development on a loopback HOST only: makes sure the demo logins exist (idempotent; never touches other
 * users). Everywhere else it only finds demo logins a development run left behind, still on the published password.
 */
@Injectable()
export class DemoUserSeeder {
  private readonly logger = new Logger('Seed');

  constructor(
    private readonly users: UserService,
    private readonly repository: UserRepository,
    private readonly hasher: PasswordHasher,
  ) {}

  /** The demo emails present in the database that still accept the published demo password. */
  async stillPublished(): Promise<string[]> {
    const found: string[] = [];
    for (const demo of DEMO_USERS) {
      const user = await this.repository.findByEmail(demo.email);
      if (user && (await this.hasher.verify(user.passwordHash, DEMO_PASSWORD))) found.push(demo.email);
    }
    return found;
  }

  async seed(): Promise<void> {
    let created = 0;
    for (const demo of DEMO_USERS) {
      if (await this.repository.findByEmail(demo.email)) continue;
      await this.users.createOrUpdate({ ...demo, password: DEMO_PASSWORD, resetPassword: false });
      created += 1;
    }
    this.logger.log(
      `Demo logins (password "${DEMO_PASSWORD}"): ${DEMO_USERS.map((u) => `${u.email} (${u.role})`).join(', ')}${created ? `; ${created} created` : ''}`,
    );
  }
}
