import { type MigrationInterface, type QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';
import { idColumn, timestampColumn } from './portable.js';

export class CreateAuctionsAndBids1764000001000 implements MigrationInterface {
  name = 'CreateAuctionsAndBids1764000001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'auctions',
        columns: [
          idColumn(),
          { name: 'title', type: 'varchar', length: '200' },
          { name: 'starting_price_cents', type: 'integer' },
          { name: 'current_price_cents', type: 'integer' },
          { name: 'leader_id', type: 'integer', isNullable: true },
          timestampColumn(queryRunner, 'ends_at'),
          { name: 'status', type: 'varchar', length: '16', default: "'open'" },
          { name: 'bid_count', type: 'integer', default: 0 },
          // Bumped by every accepted bid: the acceptance UPDATE is conditional on it (optimistic concurrency).
          { name: 'version', type: 'integer', default: 0 },
          timestampColumn(queryRunner, 'created_at'),
        ],
        indices: [new TableIndex({ name: 'IDX_auctions_status_ends_at', columnNames: ['status', 'ends_at'] })],
        foreignKeys: [
          new TableForeignKey({
            name: 'FK_auctions_leader_id',
            columnNames: ['leader_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'SET NULL',
            onUpdate: 'NO ACTION',
          }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'bids',
        columns: [
          idColumn(),
          { name: 'auction_id', type: 'integer' },
          { name: 'bidder_id', type: 'integer' },
          { name: 'amount_cents', type: 'integer' },
          timestampColumn(queryRunner, 'created_at'),
        ],
        indices: [
          new TableIndex({ name: 'IDX_bids_auction_id_id', columnNames: ['auction_id', 'id'] }),
          new TableIndex({ name: 'IDX_bids_bidder_id', columnNames: ['bidder_id'] }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'FK_bids_auction_id',
            columnNames: ['auction_id'],
            referencedTableName: 'auctions',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          }),
          new TableForeignKey({
            name: 'FK_bids_bidder_id',
            columnNames: ['bidder_id'],
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
    await queryRunner.dropTable('bids');
    await queryRunner.dropTable('auctions');
  }
}
