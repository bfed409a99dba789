import { Injectable } from '@nestjs/common';
import { KeyedMutex } from '../../common/keyed-mutex.js';

/**
 * One in-process lock per auction, held from a bid's acceptance (or the auction's close) until its
 * broadcast is queued. PushService delivers broadcasts in call order, so every connection sees the
 * bids of an auction in acceptance order and `auction.closed` after the last bid.
 */
@Injectable()
export class AuctionLock extends KeyedMutex<number> {}
