import { type MigrationInterface, type QueryRunner, TableColumn, TableIndex } from 'typeorm';
import { timestampColumn } from './portable.js';

/**
 * Users across devices (issue #16):
 * * users.token_version — every access token carries the version it was issued under (`ver`); bumping it
 *   (sign out everywhere, block) makes every older token fail at once, without a token blacklist.
 * * users.blocked_at — set while an admin has blocked the user (login 403, every token 401).
 * * users.last_seen_at — the last time one of the user's connections registered or went away (presence).
 * * socket_connections.expires_at — the `exp` of the token the connection authenticated with; the
 *   expiry sweep finds due rows through its index. NULL (rows from before this migration) never expires.
 * * notifications.read_at — when the user marked it read (NULL: unread).
 */
export class AddUserSessionState1764000001500 implements MigrationInterface {
  name = 'AddUserSessionState1764000001500';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('users', [
      new TableColumn({ name: 'token_version', type: 'integer', default: 0 }),
      new TableColumn(timestampColumn(queryRunner, 'blocked_at', true)),
      new TableColumn(timestampColumn(queryRunner, 'last_seen_at', true)),
    ]);
    await queryRunner.addColumn(
      'socket_connections',
      new TableColumn(timestampColumn(queryRunner, 'expires_at', true)),
    );
    await queryRunner.createIndex(
      'socket_connections',
      new TableIndex({ name: 'IDX_socket_connections_expires_at', columnNames: ['expires_at'] }),
    );
    await queryRunner.addColumn('notifications', new TableColumn(timestampColumn(queryRunner, 'read_at', true)));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('notifications', 'read_at');
    await queryRunner.dropIndex('socket_connections', 'IDX_socket_connections_expires_at');
    await queryRunner.dropColumn('socket_connections', 'expires_at');
    await queryRunner.dropColumns('users', ['last_seen_at', 'blocked_at', 'token_version']);
  }
}
