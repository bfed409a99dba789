/**
 * Every entity of the API. Listed explicitly (no globs) so the same list works compiled, under SWC in
 * tests and in the CLI. Add new entities here.
 */
import { Auction } from '../modules/auction/auction.entity.js';
import { RefreshToken } from '../modules/auth/refresh-token.entity.js';
import { Bid } from '../modules/auction/bid.entity.js';
import { IdempotencyKey } from '../modules/idempotency/idempotency-key.entity.js';
import { Notification } from '../modules/notification/notification.entity.js';
import { SocketConnection } from '../modules/socket-connection/socket-connection.entity.js';
import { Subscription } from '../modules/socket-connection/subscription.entity.js';
import { User } from '../modules/user/user.entity.js';

export const ENTITIES = [
  User,
  SocketConnection,
  Auction,
  Bid,
  Notification,
  IdempotencyKey,
  Subscription,
  RefreshToken,
];
