import { type MigrationInterface, type QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';
import { idColumn, isMysql, timestampColumn } from './portable.js';

export class CreateNotifications1764000001100 implements MigrationInterface {
  name = 'CreateNotifications1764000001100';

  async up(queryRunner: QueryRunner): Promise<void> {
    // MySQL's TEXT stops at 64 KB; a notification event may be up to 128 KB.
    const longText = isMysql(queryRunner) ? 'mediumtext' : 'text';
    await queryRunner.createTable(
      new Table({
        name: 'notifications',
        columns: [
          idColumn(),
          { name: 'user_id', type: 'integer' },
          { name: 'kind', type: 'varchar', length: '64' },
          { name: 'title', type: 'varchar', length: '200' },
          { name: 'body', type: 'text', isNullable: true },
          // JSON text: portable, and returned exactly as the sender gave it.
          { name: 'data', type: longText, isNullable: true },
          timestampColumn(queryRunner, 'created_at'),
        ],
        // Replay and history read "this user's notifications after id N" — one index range scan.
        indices: [new TableIndex({ name: 'IDX_notifications_user_id_id', columnNames: ['user_id', 'id'] })],
        foreignKeys: [
          new TableForeignKey({
            name: 'FK_notifications_user_id',
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
    await queryRunner.dropTable('notifications');
  }
}
