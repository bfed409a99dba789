import type { DataSource } from 'typeorm';

const answers = new WeakMap<DataSource, Promise<boolean>>();

/**
 * Whether the ids of one multi-row INSERT are consecutive (first, first + 1, …), so a batch can derive
 * every row's id from the one id the driver answers. Always on SQLite; on MySQL/MariaDB only when
 * `@@auto_increment_increment` is 1 — a server stepping ids by more (Galera, multi-primary setups)
 * would make the derived ids wrong. Asked once per DataSource; asked again after a failed attempt.
 */
export function multiRowInsertIdsAreConsecutive(dataSource: DataSource): Promise<boolean> {
  const type = dataSource.options.type;
  if (type !== 'mysql' && type !== 'mariadb') return Promise.resolve(true);
  let answer = answers.get(dataSource);
  if (!answer) {
    answer = dataSource
      .query('SELECT @@auto_increment_increment AS step')
      .then((rows: Array<{ step: number | string }>) => Number(rows[0]?.step) === 1)
      .catch((error: unknown) => {
        answers.delete(dataSource);
        throw error;
      });
    answers.set(dataSource, answer);
  }
  return answer;
}

/**
 * The first generated id of a raw `INSERT` of `rows` rows, from what `query()` answered: mysql2 a
 * result header whose insertId is the first row's id, better-sqlite3 the last row's id (lastInsertRowid).
 */
export function firstInsertedId(raw: unknown, rows: number): number {
  if (typeof raw === 'number' || typeof raw === 'bigint') return Number(raw) - (rows - 1);
  const header = raw as { insertId?: number | string } | undefined;
  return Number(header?.insertId);
}
