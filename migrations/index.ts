/**
 * Every migration, in order. Listed explicitly (no globs) so the same list works compiled, under SWC in
 * tests and in the CLI. Add new migrations at the end.
 */
import { CreateUsers1764000000000 } from './1764000000000-CreateUsers.js';
import { CreateSocketConnections1764000000100 } from './1764000000100-CreateSocketConnections.js';
import { CreateAuctionsAndBids1764000001000 } from './1764000001000-CreateAuctionsAndBids.js';
import { CreateNotifications1764000001100 } from './1764000001100-CreateNotifications.js';
import { CreateIdempotencyKeys1764000001200 } from './1764000001200-CreateIdempotencyKeys.js';
import { AddSocketConnectionNotificationsSentAfter1764000001330 } from './1764000001330-AddSocketConnectionNotificationsSentAfter.js';
import { CreateSubscriptions1764000001400 } from './1764000001400-CreateSubscriptions.js';
import { AddUserSessionState1764000001500 } from './1764000001500-AddUserSessionState.js';
import { CreateRefreshTokens1764000001510 } from './1764000001510-CreateRefreshTokens.js';
import { CreateRateLimitCounters1764000001600 } from './1764000001600-CreateRateLimitCounters.js';
import { CreatePushCounters1764000001610 } from './1764000001610-CreatePushCounters.js';
import { AddSocketConnectionWelcomeCutoff1764000001620 } from './1764000001620-AddSocketConnectionWelcomeCutoff.js';

export const MIGRATIONS = [
  CreateUsers1764000000000,
  CreateSocketConnections1764000000100,
  CreateAuctionsAndBids1764000001000,
  CreateNotifications1764000001100,
  CreateIdempotencyKeys1764000001200,
  AddSocketConnectionNotificationsSentAfter1764000001330,
  CreateSubscriptions1764000001400,
  AddUserSessionState1764000001500,
  CreateRefreshTokens1764000001510,
  CreateRateLimitCounters1764000001600,
  CreatePushCounters1764000001610,
  AddSocketConnectionWelcomeCutoff1764000001620,
];
