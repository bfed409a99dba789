import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import type { SubscribedEvent, UnsubscribedEvent } from '@gavel/contracts';
import { AuctionDetailResponse } from '../auction/auction.dto.js';
import { ConnectionIdParam } from '../socket-connection/socket-connection.dto.js';

export class SubscriptionParams extends ConnectionIdParam {
  @ApiProperty({ example: 1, description: 'The auction id, a positive integer' })
  @Matches(/^[1-9]\d{0,14}$/, { message: 'auctionId must be a positive integer' })
  auctionId!: string;
}

class SubscribedData {
  @ApiProperty() auctionId!: number;
  @ApiProperty({
    description: "The auction's bid count at the snapshot: every bid with a higher seq follows this frame",
  })
  seq!: number;
  @ApiProperty({ type: AuctionDetailResponse, description: 'The auction as GET /auctions/:id shows it' })
  auction!: AuctionDetailResponse;
}

/** The `subscribed` frame (contract §5); the API pushes it to the connection and answers it too. */
export class SubscribedResponse implements SubscribedEvent<AuctionDetailResponse> {
  @ApiProperty({ enum: ['subscribed'] }) type!: 'subscribed';
  @ApiProperty({ type: SubscribedData }) data!: SubscribedData;
}

class UnsubscribedData {
  @ApiProperty() auctionId!: number;
}

/** The `unsubscribed` frame (contract §5), which the `unsubscribe` Lambda relays as its route response. */
export class UnsubscribedResponse implements UnsubscribedEvent {
  @ApiProperty({ enum: ['unsubscribed'] }) type!: 'unsubscribed';
  @ApiProperty({ type: UnsubscribedData }) data!: UnsubscribedData;
}
