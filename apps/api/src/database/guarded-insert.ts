/**
 * A compare-and-set write that works the same on every driver: an UPDATE that must change exactly one
 * row, and an INSERT made only when it did — both or neither. Repositories state the SQL; how the two
 * statements become one transaction (and SQLite's shared connection) stays in here.
 */
import type { DataSource } from 'typeorm';
import { isTransientTransactionError } from './driver-errors.js';

/** Plain SQL with `?` placeholders, understood by mysql2 and better-sqlite3 alike; Date parameters are allowed. */
export interface Statement {
  /** Constant text (values go in `params`): on SQLite it keys the connection's prepared-statement cache. */
  sql: string;
  params: unknown[];
}

/** The database stayed busy with another request's transaction for too long; nothing was written. */
export class DatabaseBusyError extends Error {
  override readonly name = 'DatabaseBusyError';
}

/** The few better-sqlite3 calls used here (the package ships no types). */
interface SqliteStatement {
  run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint };
}
interface SqliteDatabase {
  readonly inTransaction: boolean;
  prepare(sql: string): SqliteStatement;
  transaction<T>(fn: () => T): { immediate(): T };
}

/** Event-loop turns to wait for another request's transaction on SQLite's shared connection. */
const SQLITE_WAIT_TURNS = 5000;

/** Prepared statements per connection and SQL text: preparing costs more than running these statements. */
const preparedStatements = new WeakMap<SqliteDatabase, Map<string, SqliteStatement>>();

function prepared(db: SqliteDatabase, sql: string): SqliteStatement {
  let statements = preparedStatements.get(db);
  if (statements === undefined) {
    statements = new Map();
    preparedStatements.set(db, statements);
  }
  let statement = statements.get(sql);
  if (statement === undefined) {
    statement = db.prepare(sql);
    statements.set(sql, statement);
  }
  return statement;
}

/** TypeORM's SQLite datetime text: `YYYY-MM-DD HH:MM:SS.SSS` (UTC), which compares correctly as a string. */
function sqliteDatetime(date: Date): string {
  return date.toISOString().slice(0, 23).replace('T', ' ');
}

/**
 * Runs `guard` and, when it changed exactly one row, `insert`, in one transaction. Answers the inserted
 * row's id; null when the guard changed nothing or the database asked for a retry (deadlock, lock wait,
 * busy) — then nothing was written and the caller reads again. No row lock is held before the guard,
 * so this is safe across any number of API processes.
 */
export async function guardedInsert(
  dataSource: DataSource,
  guard: Statement,
  insert: Statement,
): Promise<number | null> {
  try {
    return dataSource.options.type === 'better-sqlite3'
      ? await onSqlite(dataSource, guard, insert)
      : await onMysql(dataSource, guard, insert);
  } catch (error) {
    if (isTransientTransactionError(error)) return null;
    throw error;
  }
}

async function onMysql(dataSource: DataSource, guard: Statement, insert: Statement): Promise<number | null> {
  return dataSource.transaction(async (manager) => {
    // mysql2 answers a result header for UPDATE and INSERT (timezone 'Z' writes Dates as UTC).
    const updated = (await manager.query(guard.sql, guard.params)) as { affectedRows?: number };
    if (updated.affectedRows !== 1) return null;
    const inserted = (await manager.query(insert.sql, insert.params)) as { insertId?: number | string };
    return Number(inserted.insertId);
  });
}

/**
 * SQLite: TypeORM shares ONE connection between all requests, so an async transaction would swallow
 * whatever other requests run meanwhile (and roll it back with ours). better-sqlite3's synchronous
 * transaction runs both statements with nothing in between.
 */
async function onSqlite(dataSource: DataSource, guard: Statement, insert: Statement): Promise<number | null> {
  const db = (dataSource.driver as unknown as { databaseConnection: SqliteDatabase }).databaseConnection;
  // Another request's TypeORM transaction (e.g. a save()) may be open on the shared connection: ours
  // would nest into it and share its fate, so wait until it is done (nothing can start in between).
  for (let waited = 0; db.inTransaction; waited++) {
    if (waited > SQLITE_WAIT_TURNS) throw new DatabaseBusyError('Another transaction kept the SQLite connection busy');
    await new Promise((resolve) => setImmediate(resolve));
  }
  const toSqlite = (params: unknown[]) =>
    params.map((param) => (param instanceof Date ? sqliteDatetime(param) : param));
  const write = db.transaction((): number | null => {
    if (prepared(db, guard.sql).run(...toSqlite(guard.params)).changes !== 1) return null;
    return Number(prepared(db, insert.sql).run(...toSqlite(insert.params)).lastInsertRowid);
  });
  return write.immediate();
}
