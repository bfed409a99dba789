/**
 * Every migration, in order. Listed explicitly (no globs) so the same list works compiled, under SWC in
 * tests and in the CLI. Add new migrations at the end.
 */
import { CreateUsers1764000000000 } from './1764000000000-CreateUsers.js';
import { CreateSocketConnections1764000000100 } from './1764000000100-CreateSocketConnections.js';

export const MIGRATIONS = [CreateUsers1764000000000, CreateSocketConnections1764000000100];
