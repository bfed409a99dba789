import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { User } from '../user/user.entity.js';

@Entity('notifications')
@Index('IDX_notifications_user_id_id', ['userId', 'id'])
export class Notification {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ name: 'user_id', type: 'integer' })
  userId!: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_notifications_user_id' })
  user?: Relation<User>;

  @Column({ type: 'varchar', length: 64 })
  kind!: string;

  @Column({ type: 'varchar', length: 200 })
  title!: string;

  @Column({ type: 'text', nullable: true })
  body!: string | null;

  /** JSON text as stored; parsed by the mappers. */
  @Column({ type: 'text', nullable: true })
  data!: string | null;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;

  /** When the user marked it read; null while unread. */
  @Column({ name: 'read_at', type: 'datetime', nullable: true })
  readAt!: Date | null;
}
