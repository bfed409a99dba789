import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { User } from '../user/user.entity.js';
import { Auction } from './auction.entity.js';

@Entity('bids')
@Index('IDX_bids_auction_id_id', ['auctionId', 'id'])
@Index('IDX_bids_bidder_id', ['bidderId'])
export class Bid {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ name: 'auction_id', type: 'integer' })
  auctionId!: number;

  @ManyToOne(() => Auction, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'auction_id', foreignKeyConstraintName: 'FK_bids_auction_id' })
  auction?: Relation<Auction>;

  @Column({ name: 'bidder_id', type: 'integer' })
  bidderId!: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'bidder_id', foreignKeyConstraintName: 'FK_bids_bidder_id' })
  bidder?: Relation<User>;

  @Column({ name: 'amount_cents', type: 'integer' })
  amountCents!: number;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;
}
