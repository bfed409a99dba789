import { Controller, Delete, HttpCode, Param, Put } from '@nestjs/common';
import {
  ApiForbiddenResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ApiKey } from '../../common/decorators/api-key.decorator.js';
import { SubscribedResponse, SubscriptionParams, UnsubscribedResponse } from './channel.dto.js';
import { ChannelService } from './channel.service.js';

/** Internal: called by the gateway's `subscribe` and `unsubscribe` Lambdas. */
@ApiTags('socket-connections')
@ApiHeader({ name: 'x-api-key', description: 'GATEWAY_API_KEY', required: true })
@ApiForbiddenResponse({ description: 'Missing or invalid x-api-key' })
@Controller('socket-connections/:connectionId/subscriptions')
export class ChannelController {
  constructor(private readonly channels: ChannelService) {}

  @Put(':auctionId')
  @ApiKey('gateway')
  @HttpCode(200)
  @ApiOkResponse({
    type: SubscribedResponse,
    description: 'Subscribed; the same frame is pushed to the connection, ahead of every later event of the auction',
  })
  @ApiUnauthorizedResponse({ description: 'The connection has not authenticated' })
  @ApiNotFoundResponse({ description: 'No such auction' })
  @ApiTooManyRequestsResponse({ description: 'The connection already watches the maximum number of auctions' })
  subscribe(@Param() params: SubscriptionParams): Promise<SubscribedResponse> {
    return this.channels.subscribe(params);
  }

  @Delete(':auctionId')
  @ApiKey('gateway')
  @HttpCode(200)
  @ApiOkResponse({ type: UnsubscribedResponse, description: 'Not subscribed any more (also when it was not)' })
  unsubscribe(@Param() params: SubscriptionParams): Promise<UnsubscribedResponse> {
    return this.channels.unsubscribe(params);
  }
}
