/** REST answers the client reads (contract §4). Optional fields are ones the contract does not promise. */
import type { Id } from '@gavel/contracts';

export type { Id };
export type Role = 'user' | 'premium' | 'admin';

export interface User {
  id: Id;
  email: string;
  displayName: string;
  roles: Role[];
}

export interface LoginAnswer {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number | string;
}

export interface Bid {
  id: Id;
  auctionId: Id;
  bidderId: Id;
  amountCents: number;
  createdAt: string;
  bidderName?: string;
}

export interface Auction {
  id: Id;
  title: string;
  startingPriceCents?: number;
  currentPriceCents: number;
  leaderId: Id | null;
  leaderName?: string | null;
  endsAt: string;
  status: string;
  bidCount: number;
  /** Detail only: the latest 50 bids, newest first. */
  bids?: Bid[];
}

export interface NotificationItem {
  id: Id;
  kind: string;
  title: string;
  body?: string | null;
  data?: unknown;
  createdAt?: string;
  /** When the user read it (any device); null while unread. */
  readAt?: string | null;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string | number | null;
  total?: number;
}

export interface AdminConnection {
  connectionId: string;
  userId: Id;
  email: string;
  createdAt: string;
  lastSeenAt: string | null;
  sourceIp: string | null;
  userAgent: string | null;
}

/** `GET /admin/connections/:id`: the row, the gateway's view of it, and the auctions it watches. */
export interface AdminConnectionDetail extends AdminConnection {
  /** null: the gateway no longer has it (the API then removed the row). */
  live: { connectedAt: string; lastActiveAt: string } | null;
  subscriptions: Id[];
}

export interface NotificationAccepted {
  id: Id;
  deliveredTo: number;
  staleRemoved: number;
}
