import { type MigrationInterface, type QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';
import { binaryAscii, idColumn, timestampColumn } from './portable.js';

export class CreateSocketConnections1764000000100 implements MigrationInterface {
  name = 'CreateSocketConnections1764000000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'socket_connections',
        columns: [
          idColumn(),
          { name: 'connection_id', type: 'varchar', length: '128', ...binaryAscii(queryRunner) },
          { name: 'user_id', type: 'integer' },
          timestampColumn(queryRunner, 'created_at'),
          timestampColumn(queryRunner, 'last_seen_at'),
          { name: 'source_ip', type: 'varchar', length: '64', isNullable: true },
          { name: 'user_agent', type: 'varchar', length: '512', isNullable: true },
        ],
        indices: [
          new TableIndex({
            name: 'UQ_socket_connections_connection_id',
            columnNames: ['connection_id'],
            isUnique: true,
          }),
          new TableIndex({ name: 'IDX_socket_connections_user_id', columnNames: ['user_id'] }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'FK_socket_connections_user_id',
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
    await queryRunner.dropTable('socket_connections');
  }
}
