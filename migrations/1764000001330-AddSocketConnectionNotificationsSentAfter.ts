import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/**
 * What each connection has been sent lives with its row, so a repeated `auth` replays nothing twice
 * whichever API copy answers it: every notification of the user with an id above this value has been
 * sent to the connection (replayed or pushed live); NULL until its first `auth.ok`.
 */
export class AddSocketConnectionNotificationsSentAfter1764000001330 implements MigrationInterface {
  name = 'AddSocketConnectionNotificationsSentAfter1764000001330';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'socket_connections',
      new TableColumn({ name: 'notifications_sent_after', type: 'integer', isNullable: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('socket_connections', 'notifications_sent_after');
  }
}
