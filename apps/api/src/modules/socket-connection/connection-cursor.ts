import { InvalidCursorError } from './socket-connection.errors.js';

/** Opaque keyset cursor: clients must not build or parse it, so the ordering can change later. */
export function encodeCursor(lastId: number): string {
  return Buffer.from(`c1:${lastId}`).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): number {
  if (cursor === undefined || cursor === '') return 0;
  const match = /^c1:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new InvalidCursorError();
  return Number(match[1]);
}
