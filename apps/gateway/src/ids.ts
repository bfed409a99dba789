/**
 * Identifiers shaped like API Gateway's: connection ids, request ids and message ids are
 * 16 characters of standard base64 ending in `=` (11 random bytes), e.g. `R1kmxc2VNjMCFIA=`.
 * The alphabet includes `+` and `/`, so callers must URL-encode ids in paths, exactly as on AWS.
 */
import { randomBytes, randomUUID } from 'node:crypto';

// Random bytes come from a pool refilled in bulk: one syscall per 372 ids instead of one per id.
const ID_BYTES = 11;
const POOL_SIZE = ID_BYTES * 372;
let pool = randomBytes(POOL_SIZE);
let offset = 0;

export function newAwsId(): string {
  if (offset + ID_BYTES > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    offset = 0;
  }
  const id = pool.toString('base64', offset, offset + ID_BYTES);
  offset += ID_BYTES;
  return id;
}

/** The management API's `x-amzn-RequestId` is a UUID. */
export function newManagementRequestId(): string {
  return randomUUID();
}

/** API ids are 10 lowercase alphanumerics, e.g. `a1b2c3d4e5`. */
export function newApiId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(10), (byte) => alphabet[byte % alphabet.length]).join('');
}
