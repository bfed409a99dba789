import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { binaryAscii, idColumn, isMysql, timestampColumn } from './portable.js';

export class CreateIdempotencyKeys1764000001200 implements MigrationInterface {
  name = 'CreateIdempotencyKeys1764000001200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'idempotency_keys',
        columns: [
          idColumn(),
          // Who and which route, e.g. `user:42:POST /auctions/:id/bids` or `service:POST /notifications`.
          { name: 'scope', type: 'varchar', length: '100', ...binaryAscii(queryRunner) },
          // Keys are case-sensitive printable ASCII.
          { name: 'idempotency_key', type: 'varchar', length: '255', ...binaryAscii(queryRunner) },
          // sha256 of the request; the same key with another request is refused.
          { name: 'fingerprint', type: 'varchar', length: '64' },
          // NULL while the first request is still running.
          { name: 'status_code', type: 'integer', isNullable: true },
          { name: 'response_body', type: isMysql(queryRunner) ? 'mediumtext' : 'text', isNullable: true },
          timestampColumn(queryRunner, 'created_at'),
        ],
        indices: [
          new TableIndex({
            name: 'UQ_idempotency_keys_scope_key',
            columnNames: ['scope', 'idempotency_key'],
            isUnique: true,
          }),
          new TableIndex({ name: 'IDX_idempotency_keys_created_at', columnNames: ['created_at'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('idempotency_keys');
  }
}
