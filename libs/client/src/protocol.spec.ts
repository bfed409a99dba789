/**
 * The client's own protocol types (kept in the package so that it publishes alone) against the repository's
 * `@gavel/contracts`. The checks are types: `npm run typecheck` fails when the two drift apart.
 */
import { describe, expect, it } from '@jest/globals';
import type * as Contracts from '@gavel/contracts';
import type * as Client from './protocol.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Every value of A is a value of B. */
type Fits<A, B> = [A] extends [B] ? true : false;
type Frame<U, T extends string> = Extract<U, { type: T }>;
/** Frames the contracts may not list yet (added in the contract first) are checked once they are there. */
type SameWhenPresent<U, T extends string, C> = [Frame<U, T>] extends [never] ? true : Equal<Frame<U, T>, C>;

const checks = {
  id: true satisfies Equal<Client.Id, Contracts.Id>,
  bid: true satisfies Equal<Client.BidFrame, Contracts.BidEvent>,
  notification: true satisfies Equal<Client.NotificationFrame, Contracts.NotificationEvent>,
  closed: true satisfies Equal<Client.AuctionClosedFrame, Contracts.AuctionClosedEvent>,
  subscribed: true satisfies Equal<Client.SubscribedFrame, Contracts.SubscribedEvent>,
  unsubscribed: true satisfies Equal<Client.UnsubscribedFrame, Contracts.UnsubscribedEvent>,
  pong: true satisfies Equal<Client.PongFrame, Contracts.PongEvent>,
  error: true satisfies Equal<Client.ErrorFrame, Contracts.ErrorEvent>,
  authError: true satisfies Equal<Client.AuthErrorFrame, Contracts.AuthErrorEvent>,
  // auth.ok gained `unread`: the client reads it when there (optional, for servers from before).
  authOk: true satisfies Fits<Contracts.AuthOkEvent, Client.AuthOkFrame>,
  authOkFields: true satisfies Equal<
    keyof Omit<Client.AuthOkData, 'unread'>,
    keyof Omit<Contracts.AuthOkEvent['data'], 'unread'>
  >,
  // Every frame the server may send is one the client understands.
  serverFrames: true satisfies Fits<Contracts.ServerEvent, Client.ServerFrame>,
  notificationRead: true satisfies SameWhenPresent<
    Contracts.ServerEvent,
    'notification.read',
    Client.NotificationReadFrame
  >,
  authExpired: true satisfies SameWhenPresent<Contracts.ServerEvent, 'auth.expired', Client.AuthExpiredFrame>,
  // And every message the client sends is one the gateway's routes accept.
  clientMessages: true satisfies Fits<Client.ClientMessage, Contracts.ClientMessage>,
  clientMessagesBack: true satisfies Fits<Contracts.ClientMessage, Client.ClientMessage>,
};

describe('@gavel/client protocol types', () => {
  it('match @gavel/contracts (checked by the compiler; this lists the checks)', () => {
    expect(Object.values(checks).every((check) => check)).toBe(true);
  });
});
