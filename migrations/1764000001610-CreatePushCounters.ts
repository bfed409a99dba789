import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';

/**
 * The push counters of GET /admin/stats, summed over every API copy (contract §9): one row that each
 * copy adds its counts to in batches (see PushCounterStore), rather than a write per push.
 */
export class CreatePushCounters1764000001610 implements MigrationInterface {
  name = 'CreatePushCounters1764000001610';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'push_counters',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true },
          { name: 'sent', type: 'bigint', default: 0 },
          { name: 'failed', type: 'bigint', default: 0 },
          { name: 'stale_removed', type: 'bigint', default: 0 },
          { name: 'retries', type: 'bigint', default: 0 },
        ],
      }),
    );
    await queryRunner.query(
      'INSERT INTO push_counters (id, sent, failed, stale_removed, retries) VALUES (1, 0, 0, 0, 0)',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('push_counters');
  }
}
