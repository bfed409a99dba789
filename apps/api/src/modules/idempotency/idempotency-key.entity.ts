import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

@Entity('idempotency_keys')
@Index('UQ_idempotency_keys_scope_key', ['scope', 'key'], { unique: true })
@Index('IDX_idempotency_keys_created_at', ['createdAt'])
export class IdempotencyKey {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'varchar', length: 100 })
  scope!: string;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 255 })
  key!: string;

  @Column({ type: 'varchar', length: 64 })
  fingerprint!: string;

  /** Null while the first request is still running. */
  @Column({ name: 'status_code', type: 'integer', nullable: true })
  statusCode!: number | null;

  @Column({ name: 'response_body', type: 'text', nullable: true })
  responseBody!: string | null;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;
}
