import { Injectable } from '@nestjs/common';
import { SocketService } from '../push/socket.service.js';
import { toAdminConnectionResponse } from '../socket-connection/socket-connection.dto.js';
import { SocketConnectionRepository } from '../socket-connection/socket-connection.repository.js';
import type { AdminConnectionDetailResponse, AdminStatsResponse } from './admin.dto.js';
import { ConnectionNotFoundError } from './admin.errors.js';

/** Live inspection for admins: one connection as the database and the gateway see it, kicks, counters. */
@Injectable()
export class AdminService {
  constructor(
    private readonly connections: SocketConnectionRepository,
    private readonly sockets: SocketService,
  ) {}

  /** 404 without a row; `live: null` when the gateway no longer has it (SocketService then removed the row). */
  async inspect(connectionId: string): Promise<AdminConnectionDetailResponse> {
    const row = await this.connections.findWithUser(connectionId);
    if (!row) throw new ConnectionNotFoundError(connectionId);
    const live = await this.sockets.getLiveConnection(connectionId);
    return {
      ...toAdminConnectionResponse(row),
      live: live && { connectedAt: live.connectedAt.toISOString(), lastActiveAt: live.lastActiveAt.toISOString() },
    };
  }

  /**
   * Closes the connection on the gateway and removes its row. 404 only when neither the database nor
   * the gateway knew it; an unregistered but open socket is closed too (that is what a kick is for).
   */
  async kick(connectionId: string): Promise<void> {
    const row = await this.connections.findByConnectionId(connectionId);
    const wasLive = await this.sockets.closeConnection(connectionId);
    if (!row && !wasLive) throw new ConnectionNotFoundError(connectionId);
  }

  async stats(): Promise<AdminStatsResponse> {
    const [usersOnline, connections] = await Promise.all([this.connections.countUsersOnline(), this.connections.count()]);
    return { usersOnline, connections, pushes: this.sockets.stats.snapshot() };
  }
}
