import { Injectable } from '@nestjs/common';
import { PushCounterStore } from '../push/push-counter.store.js';
import { PushService } from '../push/push.service.js';
import { toAdminConnectionResponse } from '../socket-connection/socket-connection.dto.js';
import { SocketConnectionRepository } from '../socket-connection/socket-connection.repository.js';
import { SubscriptionRepository } from '../socket-connection/subscription.repository.js';
import type { AdminConnectionDetailResponse, AdminStatsResponse } from './admin.dto.js';
import { ConnectionNotFoundError, ManagementApiUnavailableError } from './admin.errors.js';

/** Live inspection for admins: one connection as the database and the gateway see it, kicks, counters. */
@Injectable()
export class AdminService {
  constructor(
    private readonly connections: SocketConnectionRepository,
    private readonly sockets: PushService,
    private readonly subscriptions: SubscriptionRepository,
    private readonly pushCounters: PushCounterStore,
  ) {}

  /** 404 without a row; `live: null` when the gateway no longer has it (PushService then removed the row). */
  async inspect(connectionId: string): Promise<AdminConnectionDetailResponse> {
    const row = await this.connections.findWithUser(connectionId);
    if (!row) throw new ConnectionNotFoundError(connectionId);
    const live = await this.sockets.getLiveConnection(connectionId).catch((error: unknown) => {
      throw new ManagementApiUnavailableError(error);
    });
    return {
      ...toAdminConnectionResponse(row),
      live: live && { connectedAt: live.connectedAt.toISOString(), lastActiveAt: live.lastActiveAt.toISOString() },
      // A row the gateway no longer had is gone now, and its subscriptions with it.
      subscriptions: live ? await this.subscriptions.auctionIdsOf(row.id) : [],
    };
  }

  /**
   * Closes the connection on the gateway (DeleteConnection; already gone is fine) and removes its row.
   * 404 when there is no row: admins act on registered connections, and an id nobody registered is
   * not sent to the gateway at all.
   */
  async kick(connectionId: string): Promise<void> {
    if (!(await this.connections.findByConnectionId(connectionId))) throw new ConnectionNotFoundError(connectionId);
    await this.sockets.closeConnection(connectionId).catch((error: unknown) => {
      throw new ManagementApiUnavailableError(error);
    });
  }

  async stats(): Promise<AdminStatsResponse> {
    const [usersOnline, connections, pushes] = await Promise.all([
      this.connections.countUsersOnline(),
      this.connections.count(),
      this.pushCounters.totals(),
    ]);
    return { usersOnline, connections, pushes };
  }
}
