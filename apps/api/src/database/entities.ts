/**
 * Every entity of the API. Listed explicitly (no globs) so the same list works compiled, under SWC in
 * tests and in the CLI. Add new entities here.
 */
import { SocketConnection } from '../modules/socket-connection/socket-connection.entity.js';
import { User } from '../modules/user/user.entity.js';

export const ENTITIES = [User, SocketConnection];
