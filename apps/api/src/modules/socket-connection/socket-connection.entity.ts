import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { User } from '../user/user.entity.js';

// Index and constraint names match migrations/, so `migration:generate` only reports real changes.
@Entity('socket_connections')
@Index('UQ_socket_connections_connection_id', ['connectionId'], { unique: true })
@Index('IDX_socket_connections_user_id', ['userId'])
@Index('IDX_socket_connections_expires_at', ['expiresAt'])
export class SocketConnection {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  /** API Gateway's connection id, e.g. `R1kmxc2VNjMCFIA=` (case-sensitive). */
  @Column({ name: 'connection_id', type: 'varchar', length: 128 })
  connectionId!: string;

  @Column({ name: 'user_id', type: 'integer' })
  userId!: number;

  // Relation<> keeps the decorator metadata from touching User before its module has evaluated (ESM TDZ).
  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_socket_connections_user_id' })
  user?: Relation<User>;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;

  @Column({ name: 'last_seen_at', type: 'datetime' })
  lastSeenAt!: Date;

  @Column({ name: 'source_ip', type: 'varchar', length: 64, nullable: true })
  sourceIp!: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent!: string | null;

  /**
   * Every notification of the user with an id above this has been sent to this connection (replayed
   * on `auth` or pushed live); null until its first `auth.ok`. Only a later `auth` asking for older
   * ones lowers it, so a repeated `auth` never replays a notification twice (see NotificationDeliveryService.welcome).
   */
  @Column({ name: 'notifications_sent_after', type: 'integer', nullable: true })
  notificationsSentAfter!: number | null;

  /** The newest notification id when the first welcome was planned (its replay's upper bound); NULL before. */
  @Column({ name: 'welcome_cutoff', type: 'integer', nullable: true })
  welcomeCutoff!: number | null;
  /** The `exp` of the token the connection last authenticated with; null (rows from before it was kept) never expires. */
  @Column({ name: 'expires_at', type: 'datetime', nullable: true })
  expiresAt!: Date | null;
}
