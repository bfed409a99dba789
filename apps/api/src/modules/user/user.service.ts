import { Injectable } from '@nestjs/common';
import type { Role } from '../../common/auth-user.js';
import { PasswordHasher } from './password-hasher.js';
import type { User } from './user.entity.js';
import { UserRepository } from './user.repository.js';

@Injectable()
export class UserService {
  constructor(
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
  ) {}

  /** `client` keys the password-hashing queue (the caller's IP; start-up and CLI work have their own key). */
  async register(
    input: { email: string; password: string; displayName: string; role?: Role },
    client?: string,
  ): Promise<User> {
    const passwordHash = await this.hasher.hash(input.password, client);
    return this.users.create({
      email: input.email,
      displayName: input.displayName,
      passwordHash,
      role: input.role ?? 'user',
    });
  }

  /**
   * Creates the user, or — when the email exists — sets its role (and the password, when `resetPassword`).
   * Used by `npm run user:create` and the development seed.
   */
  async createOrUpdate(input: {
    email: string;
    password: string;
    displayName: string;
    role: Role;
    resetPassword: boolean;
  }): Promise<{ user: User; created: boolean }> {
    const existing = await this.users.findByEmail(input.email);
    if (!existing) return { user: await this.register(input), created: true };
    if (existing.role !== input.role) await this.users.updateRole(existing.id, input.role);
    if (input.resetPassword) await this.users.updatePasswordHash(existing.id, await this.hasher.hash(input.password));
    return { user: { ...existing, role: input.role }, created: false };
  }
}
