import { Module } from '@nestjs/common';
import { AuctionModule } from '../auction/auction.module.js';
import { PushModule } from '../push/push.module.js';
import { SocketConnectionModule } from '../socket-connection/socket-connection.module.js';
import { ChannelController } from './channel.controller.js';
import { ChannelService } from './channel.service.js';

/** Auction channels: which connection watches which auction (the rows live with the connection, in socket-connection). */
@Module({
  imports: [SocketConnectionModule, PushModule, AuctionModule],
  controllers: [ChannelController],
  providers: [ChannelService],
})
export class ChannelModule {}
