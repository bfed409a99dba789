/**
 * The WebSocket protocol of Gavel (contract §5), as the client sees it. Kept here rather than imported from
 * `@gavel/contracts` so that the published package stands alone; protocol.spec.ts checks at compile time that
 * both describe the same frames.
 */
export type Id = number | string;

export interface AuthMessage {
  action: 'auth';
  token: string;
  since?: Id;
}
export interface SubscriptionMessage {
  action: 'subscribe' | 'unsubscribe';
  auctionId: Id;
}
export interface PingMessage {
  action: 'ping';
}
export type ClientMessage = AuthMessage | SubscriptionMessage | PingMessage;

export interface AuthOkData {
  userId: Id;
  connectionId: string;
  /** Notifications replayed after this frame (those with an id above `since`). */
  replayed: number;
  /** false when more was missed than one replay carries: fetch `GET /me/notifications` for the rest. */
  recovered: boolean;
  /** The user's unread notification count (servers before it was added leave it out). */
  unread?: number;
}
export interface AuthOkFrame {
  type: 'auth.ok';
  data: AuthOkData;
}
export interface AuthErrorFrame {
  type: 'auth.error';
  data: { status: number; message: string };
}
export interface AuthExpiredFrame {
  type: 'auth.expired';
  data: { expiredAt: string };
}

export interface BidData {
  auctionId: Id;
  bidId: Id;
  /** The bid's position in its auction: 1, 2, 3… */
  seq: number;
  amountCents: number;
  bidderId: Id;
  bidderName: string;
  createdAt: string;
}
export interface NotificationData {
  kind: string;
  title: string;
  body: string | null;
  data: unknown;
}
export interface AuctionClosedData {
  auctionId: Id;
  /** The auction's final bid count. */
  seq: number;
  winnerId: Id | null;
  finalPriceCents: number;
}

/** A pushed event: `id` is the notification id for notifications, a unique event id otherwise. */
export interface PushedFrame<TType extends string, TData> {
  type: TType;
  id: Id;
  ts: string;
  data: TData;
}
export type BidFrame = PushedFrame<'bid', BidData>;
export type NotificationFrame = PushedFrame<'notification', NotificationData>;
export type AuctionClosedFrame = PushedFrame<'auction.closed', AuctionClosedData>;

export interface NotificationReadFrame {
  type: 'notification.read';
  /** Every notification with an id ≤ upTo is now read (on any of the user's devices). */
  data: { upTo: Id };
}

/** The answer to `subscribe`: the auction as `GET /auctions/:id` shows it, and its bid count. */
export interface SubscribedFrame<TAuction = Record<string, unknown>> {
  type: 'subscribed';
  data: { auctionId: Id; seq: number; auction: TAuction };
}
export interface UnsubscribedFrame {
  type: 'unsubscribed';
  data: { auctionId: Id };
}
export interface PongFrame {
  type: 'pong';
}
export interface ErrorFrame {
  type: 'error';
  data: { status?: number; message: string };
}

export type ServerFrame =
  | AuthOkFrame
  | AuthErrorFrame
  | AuthExpiredFrame
  | BidFrame
  | NotificationFrame
  | NotificationReadFrame
  | AuctionClosedFrame
  | SubscribedFrame
  | UnsubscribedFrame
  | PongFrame
  | ErrorFrame;

/** What API Gateway itself sends: no route, a failed integration, or (local gateway) a flooding client. */
export interface GatewayErrorFrame {
  message: string;
  connectionId?: string;
  requestId?: string;
}
