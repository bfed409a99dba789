import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DemoUserSeeder } from './demo-user.seeder.js';
import { PasswordHasher } from './password-hasher.js';
import { User } from './user.entity.js';
import { UserRepository } from './user.repository.js';
import { UserService } from './user.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([User])],
  providers: [UserRepository, UserService, PasswordHasher, DemoUserSeeder],
  exports: [UserRepository, UserService, PasswordHasher, DemoUserSeeder],
})
export class UserModule {}
