import { ApiProperty } from '@nestjs/swagger';
import { AdminConnectionResponse } from '../socket-connection/socket-connection.dto.js';

export class LiveConnectionResponse {
  @ApiProperty({ example: '2026-01-01T00:00:00.000Z' }) connectedAt!: string;
  @ApiProperty({ example: '2026-01-01T00:05:00.000Z' }) lastActiveAt!: string;
}

export class AdminConnectionDetailResponse extends AdminConnectionResponse {
  @ApiProperty({
    type: LiveConnectionResponse,
    nullable: true,
    description: "The gateway's GetConnection; null when it no longer has the connection (the row is then removed)",
  })
  live!: LiveConnectionResponse | null;

  @ApiProperty({ type: [Number], description: 'Ids of the auctions this connection is subscribed to' })
  subscriptions!: number[];
}

export class PushCountersResponse {
  @ApiProperty() sent!: number;
  @ApiProperty() failed!: number;
  @ApiProperty() staleRemoved!: number;
  @ApiProperty() retries!: number;
}

export class AdminStatsResponse {
  @ApiProperty({ description: 'Distinct users holding at least one connection' }) usersOnline!: number;
  @ApiProperty({ description: 'Connection rows' }) connections!: number;
  @ApiProperty({
    type: PushCountersResponse,
    description: 'Every API copy, since the database was created (each copy adds its counts once a second)',
  })
  pushes!: PushCountersResponse;
}
