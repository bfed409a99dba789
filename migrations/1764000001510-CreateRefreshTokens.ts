import { type MigrationInterface, type QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';
import { binaryAscii, idColumn, timestampColumn } from './portable.js';

/**
 * The web client's rotating refresh tokens (cookie `gavel_refresh`). Only the SHA-256 of each token is
 * stored. A family is one sign-in and every rotation of it: a token presented again after it was rotated
 * (`rotated_at` set) means it was copied, and the whole family is revoked.
 */
export class CreateRefreshTokens1764000001510 implements MigrationInterface {
  name = 'CreateRefreshTokens1764000001510';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'refresh_tokens',
        columns: [
          idColumn(),
          { name: 'user_id', type: 'integer' },
          { name: 'family_id', type: 'varchar', length: '64', ...binaryAscii(queryRunner) },
          { name: 'token_hash', type: 'varchar', length: '64', ...binaryAscii(queryRunner) },
          // users.token_version at sign-in: sign out everywhere and block bump it, which kills every family at once.
          { name: 'token_version', type: 'integer' },
          timestampColumn(queryRunner, 'created_at'),
          timestampColumn(queryRunner, 'expires_at'),
          timestampColumn(queryRunner, 'rotated_at', true),
          timestampColumn(queryRunner, 'revoked_at', true),
        ],
        indices: [
          new TableIndex({ name: 'UQ_refresh_tokens_token_hash', columnNames: ['token_hash'], isUnique: true }),
          new TableIndex({ name: 'IDX_refresh_tokens_family_id', columnNames: ['family_id'] }),
          new TableIndex({ name: 'IDX_refresh_tokens_user_id', columnNames: ['user_id'] }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'FK_refresh_tokens_user_id',
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('refresh_tokens');
  }
}
