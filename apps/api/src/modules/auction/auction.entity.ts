import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { User } from '../user/user.entity.js';

export type AuctionStatus = 'open' | 'closed';

// Index names match migrations/, so `migration:generate` only reports real changes.
@Entity('auctions')
@Index('IDX_auctions_status_ends_at', ['status', 'endsAt'])
export class Auction {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'varchar', length: 200 })
  title!: string;

  @Column({ name: 'starting_price_cents', type: 'integer' })
  startingPriceCents!: number;

  @Column({ name: 'current_price_cents', type: 'integer' })
  currentPriceCents!: number;

  @Column({ name: 'leader_id', type: 'integer', nullable: true })
  leaderId!: number | null;

  @ManyToOne(() => User, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'leader_id', foreignKeyConstraintName: 'FK_auctions_leader_id' })
  leader?: Relation<User> | null;

  @Column({ name: 'ends_at', type: 'datetime' })
  endsAt!: Date;

  /** Stored status; `effectiveStatus()` also treats a passed `endsAt` as closed. */
  @Column({ type: 'varchar', length: 16, default: 'open' })
  status!: AuctionStatus;

  @Column({ name: 'bid_count', type: 'integer', default: 0 })
  bidCount!: number;

  @Column({ type: 'integer', default: 0 })
  version!: number;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;
}

/** Closed once the scheduler closed it, or as soon as `endsAt` has passed (bids are refused from then on). */
export function effectiveStatus(auction: Pick<Auction, 'status' | 'endsAt'>, now = new Date()): AuctionStatus {
  return auction.status === 'open' && auction.endsAt.getTime() > now.getTime() ? 'open' : 'closed';
}
