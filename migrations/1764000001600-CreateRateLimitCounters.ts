import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { binaryAscii } from './portable.js';

/**
 * The rate limits' counters (contract §3), shared by every API copy (contract §9): one row per
 * limit and client, counting the hits of the current window. The key is a sha256 of the limit's name
 * and tracker (IP, e-mail, user), so its length is fixed whatever the e-mail.
 */
export class CreateRateLimitCounters1764000001600 implements MigrationInterface {
  name = 'CreateRateLimitCounters1764000001600';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'rate_limit_counters',
        columns: [
          { name: 'key_hash', type: 'varchar', length: '64', isPrimary: true, ...binaryAscii(queryRunner) },
          { name: 'hits', type: 'integer' },
          // Milliseconds since the epoch: compared with the caller's clock in one expression, no time zones.
          { name: 'window_ends_at', type: 'bigint' },
        ],
        indices: [new TableIndex({ name: 'IDX_rate_limit_counters_window_ends_at', columnNames: ['window_ends_at'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('rate_limit_counters');
  }
}
