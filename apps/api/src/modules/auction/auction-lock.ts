import { Injectable } from '@nestjs/common';
import { KeyedMutex } from '../../common/keyed-mutex.js';

/**
 * One in-process lock per auction, held from a bid's acceptance (or the auction's close, or a
 * subscription's snapshot) until its push is queued. PushService delivers an auction's pushes in call
 * order, so every subscriber sees its snapshot, then the bids in acceptance order, then `auction.closed`.
 */
@Injectable()
export class AuctionLock extends KeyedMutex<number> {}
