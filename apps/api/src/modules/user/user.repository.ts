import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { Role } from '../../common/auth-user.js';
import { isUniqueViolation } from '../../database/driver-errors.js';
import { EmailTakenError } from './user.errors.js';
import { User } from './user.entity.js';

export interface NewUser {
  email: string;
  displayName: string;
  passwordHash: string;
  role: Role;
}

@Injectable()
export class UserRepository {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  exists(id: number): Promise<boolean> {
    return this.users.existsBy({ id });
  }

  findById(id: number): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  findByEmail(email: string): Promise<User | null> {
    return this.users.findOneBy({ email: email.toLowerCase() });
  }

  /** Inserts a user; a taken email (also under a concurrent insert) becomes `EmailTakenError`. */
  async create(user: NewUser): Promise<User> {
    const now = new Date();
    const entity = this.users.create({ ...user, email: user.email.toLowerCase(), createdAt: now, updatedAt: now });
    try {
      // insert(), not save(): no transaction on SQLite's shared connection (see SocketConnectionRepository.insert).
      await this.users.insert(entity);
      return entity;
    } catch (error) {
      if (isUniqueViolation(error)) throw new EmailTakenError();
      throw error;
    }
  }

  async updateRole(id: number, role: Role): Promise<void> {
    await this.users.update({ id }, { role, updatedAt: new Date() });
  }

  async updatePasswordHash(id: number, passwordHash: string): Promise<void> {
    await this.users.update({ id }, { passwordHash, updatedAt: new Date() });
  }

  /** Deletes the user; the database cascades to their socket connections (and later rows). */
  async delete(id: number): Promise<boolean> {
    const result = await this.users.delete({ id });
    return (result.affected ?? 0) > 0;
  }

  count(): Promise<number> {
    return this.users.count();
  }
}
