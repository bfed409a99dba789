import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsISO8601, IsPositive, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { type Auction, type AuctionStatus, effectiveStatus } from './auction.entity.js';
import type { Bid } from './bid.entity.js';

/** Prices are integer cents in a 32-bit column: up to $20,000,000.00. */
export const MAX_CENTS = 2_000_000_000;

export class CreateAuctionDto {
  @ApiProperty({ example: 'Vintage Leica M6', maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @Matches(/\S/, { message: 'title must not be blank' })
  title!: string;

  @ApiProperty({ example: 10000, description: 'Integer cents; the first bid must be above it' })
  @IsInt()
  @Min(0)
  @Max(MAX_CENTS)
  startingPriceCents!: number;

  @ApiProperty({ example: '2030-01-01T12:00:00Z', description: 'ISO-8601, in the future' })
  @IsString()
  @IsISO8601({ strict: true, strictSeparator: true }, { message: 'endsAt must be an ISO-8601 date-time' })
  endsAt!: string;
}

export class PlaceBidDto {
  @ApiProperty({ example: 12500, description: 'Integer cents, above the current price' })
  @IsInt()
  @IsPositive()
  @Max(MAX_CENTS)
  amountCents!: number;
}

export class AuctionIdParam {
  @ApiProperty({ example: 1 })
  @Matches(/^[1-9]\d{0,14}$/, { message: 'id must be a positive integer' })
  id!: string;
}

export class BidResponse {
  @ApiProperty() id!: number;
  @ApiProperty() auctionId!: number;
  @ApiProperty() bidderId!: number;
  @ApiProperty() amountCents!: number;
  @ApiProperty() createdAt!: string;
}

export class AuctionBidResponse extends BidResponse {
  @ApiProperty() bidderName!: string;
}

export class AuctionResponse {
  @ApiProperty() id!: number;
  @ApiProperty() title!: string;
  @ApiProperty() startingPriceCents!: number;
  @ApiProperty() currentPriceCents!: number;
  @ApiProperty({ type: Number, nullable: true }) leaderId!: number | null;
  @ApiProperty({ type: String, nullable: true }) leaderName!: string | null;
  @ApiProperty() endsAt!: string;
  @ApiProperty({
    enum: ['open', 'closed'],
    description: 'closed once endsAt has passed, even before the scheduler ran',
  })
  status!: AuctionStatus;
  @ApiProperty() bidCount!: number;
  @ApiProperty() createdAt!: string;
}

export class AuctionDetailResponse extends AuctionResponse {
  @ApiPropertyOptional({ type: [AuctionBidResponse], description: 'The latest 50 bids, newest first' })
  bids!: AuctionBidResponse[];
}

export function toAuctionResponse(row: Auction, now = new Date()): AuctionResponse {
  return {
    id: row.id,
    title: row.title,
    startingPriceCents: row.startingPriceCents,
    currentPriceCents: row.currentPriceCents,
    leaderId: row.leaderId,
    leaderName: row.leader?.displayName ?? null,
    endsAt: row.endsAt.toISOString(),
    status: effectiveStatus(row, now),
    bidCount: row.bidCount,
    createdAt: row.createdAt.toISOString(),
  };
}

/** The `GET /auctions/:id` body (also what a `subscribed` snapshot carries). */
export function toAuctionDetailResponse(auction: Auction, latestBids: Bid[]): AuctionDetailResponse {
  return { ...toAuctionResponse(auction), bids: latestBids.map(toAuctionBidResponse) };
}

export function toBidResponse(bid: Bid): BidResponse {
  return {
    id: bid.id,
    auctionId: bid.auctionId,
    bidderId: bid.bidderId,
    amountCents: bid.amountCents,
    createdAt: bid.createdAt.toISOString(),
  };
}

export function toAuctionBidResponse(bid: Bid): AuctionBidResponse {
  return { ...toBidResponse(bid), bidderName: bid.bidder?.displayName ?? '' };
}
