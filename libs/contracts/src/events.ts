/**
 * Server → client WebSocket frames (contract §5). One JSON text frame per event.
 * Ids may be numbers or strings; clients echo them back as they got them.
 */
export type Id = number | string;

export interface AuthOkEvent {
  type: 'auth.ok';
  /** `unread`: the user's unread notification count. */
  data: { userId: Id; connectionId: string; replayed: number; recovered: boolean; unread: number };
}

/** Notifications with id ≤ upTo were read (on any device of the user). */
export interface NotificationReadEvent {
  type: 'notification.read';
  data: { upTo: Id };
}

/** The token the connection authenticated with ran out and no fresh `auth` came: the connection is then closed. */
export interface AuthExpiredEvent {
  type: 'auth.expired';
  data: { expiredAt: string };
}

export interface AuthErrorEvent {
  type: 'auth.error';
  data: { status: number; message: string };
}

export interface BidEventData {
  auctionId: Id;
  bidId: Id;
  /** The bid's position in its auction: 1, 2, 3… (contract §5 "Channels"). */
  seq: number;
  amountCents: number;
  bidderId: Id;
  bidderName: string;
  createdAt: string;
}

export interface NotificationEventData {
  kind: string;
  title: string;
  body: string | null;
  data: unknown;
}

export interface AuctionClosedEventData {
  auctionId: Id;
  /** The auction's final bid count. */
  seq: number;
  winnerId: Id | null;
  finalPriceCents: number;
}

/** Pushed events carry an id (notification id for notifications, a unique event id otherwise) and an ISO timestamp. */
export interface PushedEvent<TType extends string, TData> {
  type: TType;
  id: Id;
  ts: string;
  data: TData;
}

export type BidEvent = PushedEvent<'bid', BidEventData>;
export type NotificationEvent = PushedEvent<'notification', NotificationEventData>;
export type AuctionClosedEvent = PushedEvent<'auction.closed', AuctionClosedEventData>;

/** The answer to `subscribe`: the auction as `GET /auctions/:id` shows it, and its bid count. */
export interface SubscribedEvent<TAuction = Record<string, unknown>> {
  type: 'subscribed';
  data: { auctionId: Id; seq: number; auction: TAuction };
}

export interface UnsubscribedEvent {
  type: 'unsubscribed';
  data: { auctionId: Id };
}

export interface PongEvent {
  type: 'pong';
}

export interface ErrorEvent {
  type: 'error';
  /** `status` (HTTP-like) when a route refused the message: 400, 401, 404, 429, 503. */
  data: { status?: number; message: string };
}

export type ServerEvent =
  | AuthOkEvent
  | AuthErrorEvent
  | AuthExpiredEvent
  | NotificationReadEvent
  | BidEvent
  | NotificationEvent
  | AuctionClosedEvent
  | SubscribedEvent
  | UnsubscribedEvent
  | PongEvent
  | ErrorEvent;

/** What API Gateway itself sends when no route matches and there is no $default, when an integration fails, or (local gateway) when a client floods faster than its routes run. */
export interface GatewayErrorFrame {
  message: 'Forbidden' | 'Internal server error' | 'Too Many Requests';
  connectionId: string;
  requestId: string;
}
