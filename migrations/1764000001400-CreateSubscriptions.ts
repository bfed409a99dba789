import { type MigrationInterface, type QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';
import { timestampColumn } from './portable.js';

/**
 * Which connection watches which auction (contract §5 "Channels"). A subscription belongs to its
 * connection: the foreign key cascades every way a socket_connections row goes ($disconnect, 410,
 * kick, user delete). The primary key (connection, auction) makes subscribing twice one row and serves
 * the per-connection count; the second index (auction, connection) serves the fan-out's keyset pages.
 */
export class CreateSubscriptions1764000001400 implements MigrationInterface {
  name = 'CreateSubscriptions1764000001400';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'subscriptions',
        columns: [
          { name: 'socket_connection_id', type: 'integer', isPrimary: true },
          { name: 'auction_id', type: 'integer', isPrimary: true },
          // Events of the auction up to this position are in the snapshot the connection got (see SubscriptionRepository).
          { name: 'snapshot_position', type: 'integer' },
          timestampColumn(queryRunner, 'created_at'),
        ],
        indices: [
          new TableIndex({
            name: 'IDX_subscriptions_auction_id_socket_connection_id',
            columnNames: ['auction_id', 'socket_connection_id'],
          }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'FK_subscriptions_socket_connection_id',
            columnNames: ['socket_connection_id'],
            referencedTableName: 'socket_connections',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          }),
          new TableForeignKey({
            name: 'FK_subscriptions_auction_id',
            columnNames: ['auction_id'],
            referencedTableName: 'auctions',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('subscriptions');
  }
}
