import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/**
 * The newest notification id of the user when the connection's first welcome was planned: its replay
 * covers ids up to here, live pushes cover the ones above. An API copy that held a notification back
 * while another copy welcomed the connection pushes it only when it is above this (contract §9: no
 * notification reaches a connection twice). NULL until the first `auth.ok`.
 */
export class AddSocketConnectionWelcomeCutoff1764000001620 implements MigrationInterface {
  name = 'AddSocketConnectionWelcomeCutoff1764000001620';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'socket_connections',
      new TableColumn({ name: 'welcome_cutoff', type: 'integer', isNullable: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('socket_connections', 'welcome_cutoff');
  }
}
