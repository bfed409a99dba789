import { Body, Controller, Get, Headers, Param, Post, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import type { AuthUser } from '../../common/auth-user.js';
import { CurrentUser } from '../../common/decorators/current-user.decorator.js';
import { Public } from '../../common/decorators/public.decorator.js';
import { Roles } from '../../common/decorators/roles.decorator.js';
import { RateLimit } from '../../common/guards/rate-limit.guard.js';
import {
  AuctionDetailResponse,
  AuctionIdParam,
  AuctionResponse,
  BidResponse,
  CreateAuctionDto,
  PlaceBidDto,
} from './auction.dto.js';
import { AuctionService } from './auction.service.js';

@ApiTags('auctions')
@Controller('auctions')
export class AuctionController {
  constructor(private readonly auctions: AuctionService) {}

  @Post()
  @Roles('admin')
  @ApiBearerAuth()
  @ApiCreatedResponse({ type: AuctionResponse })
  @ApiForbiddenResponse({ description: 'Not an admin' })
  create(@Body() dto: CreateAuctionDto): Promise<AuctionResponse> {
    return this.auctions.create(dto);
  }

  @Get()
  @Public()
  @ApiOkResponse({ type: [AuctionResponse] })
  list(): Promise<AuctionResponse[]> {
    return this.auctions.list();
  }

  @Get(':id')
  @Public()
  @ApiOkResponse({ type: AuctionDetailResponse })
  @ApiNotFoundResponse()
  get(@Param() params: AuctionIdParam): Promise<AuctionDetailResponse> {
    return this.auctions.get(Number(params.id));
  }

  @Post(':id/bids')
  @RateLimit('bid')
  @ApiBearerAuth()
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'A retry with the same key returns the first answer and places nothing',
  })
  @ApiCreatedResponse({ type: BidResponse })
  @ApiConflictResponse({ description: 'Not above the current price (the message says it)' })
  @ApiUnprocessableEntityResponse({ description: 'The auction is not open' })
  @ApiNotFoundResponse()
  async placeBid(
    @CurrentUser() user: AuthUser,
    @Param() params: AuctionIdParam,
    @Body() dto: PlaceBidDto,
    @Res({ passthrough: true }) res: Response,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<BidResponse> {
    const answer = await this.auctions.placeBid(user, Number(params.id), dto, idempotencyKey);
    // A replayed 4xx answer keeps its status (errors of the first run are thrown, not returned).
    res.status(answer.statusCode);
    return answer.body;
  }
}
