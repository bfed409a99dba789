import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Auction } from '../auction/auction.entity.js';
import { SocketConnection } from './socket-connection.entity.js';

/** A connection watching an auction. Names match migrations/1764000001400-CreateSubscriptions.ts. */
@Entity('subscriptions')
@Index('IDX_subscriptions_auction_id_socket_connection_id', ['auctionId', 'socketConnectionId'])
export class Subscription {
  /** socket_connections.id (not the gateway's connection id): the row's lifetime is the connection's. */
  @PrimaryColumn({ name: 'socket_connection_id', type: 'integer' })
  socketConnectionId!: number;

  @PrimaryColumn({ name: 'auction_id', type: 'integer' })
  auctionId!: number;

  @ManyToOne(() => SocketConnection, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'socket_connection_id', foreignKeyConstraintName: 'FK_subscriptions_socket_connection_id' })
  connection?: Relation<SocketConnection>;

  @ManyToOne(() => Auction, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'auction_id', foreignKeyConstraintName: 'FK_subscriptions_auction_id' })
  auction?: Relation<Auction>;

  /** The auction's events at positions up to this one are in the snapshot this connection got. */
  @Column({ name: 'snapshot_position', type: 'integer' })
  snapshotPosition!: number;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;
}
