import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../../common/auth-user.js';
import { ManagementApiUnavailableError } from '../admin/admin.errors.js';
import { toUserResponse } from '../auth/auth.dto.js';
import { RefreshTokenRepository } from '../auth/refresh-token.repository.js';
import { PushService } from '../push/push.service.js';
import { SocketConnectionRepository } from '../socket-connection/socket-connection.repository.js';
import type { User } from '../user/user.entity.js';
import { UserNotFoundError } from '../user/user.errors.js';
import { UserRepository } from '../user/user.repository.js';
import {
  type AdminUserPage,
  type AdminUserResponse,
  type ClosedConnectionsResponse,
  type PresenceResponse,
  USER_SEARCH_LIMIT,
} from './account.dto.js';

/**
 * A user's sessions across devices: sign out everywhere, block and unblock, closing every connection
 * of a user, and presence for services.
 *
 * Revoking is "bump users.token_version, THEN list and close the user's connections": an `auth` in
 * flight writes its row first and checks the version second (SocketConnectionService), so in every
 * interleaving either that check refuses it or this listing closes it.
 */
@Injectable()
export class AccountService {
  constructor(
    private readonly users: UserRepository,
    private readonly connections: SocketConnectionRepository,
    private readonly sockets: PushService,
    private readonly refreshTokens: RefreshTokenRepository,
  ) {}

  /** Every token issued so far stops working; every connection is closed before this returns. */
  async logoutAll(user: AuthUser): Promise<void> {
    if (!(await this.users.revokeTokens(user.id))) throw new UserNotFoundError(user.id);
    // The version bump already kills every refresh family (they carry the version); revoked for the record too.
    await this.refreshTokens.revokeAllOfUser(user.id);
    await this.closeAll(user.id);
  }

  async block(id: number): Promise<void> {
    if (!(await this.users.revokeTokens(id, true))) throw new UserNotFoundError(id);
    await this.refreshTokens.revokeAllOfUser(id);
    await this.closeAll(id);
  }

  /** Lets the user sign in again; tokens revoked by the block stay revoked. */
  async unblock(id: number): Promise<void> {
    if (!(await this.users.unblock(id))) throw new UserNotFoundError(id);
  }

  /** Closes every connection of the user; they may reconnect (tokens stay valid). */
  async closeConnections(id: number): Promise<ClosedConnectionsResponse> {
    if (!(await this.users.exists(id))) throw new UserNotFoundError(id);
    return { closed: await this.closeAll(id) };
  }

  async adminView(id: number): Promise<AdminUserResponse> {
    const user = await this.users.findById(id);
    if (!user) throw new UserNotFoundError(id);
    const counts = await this.connections.countByUsers([id]);
    return toAdminUserResponse(user, counts.get(id) ?? 0);
  }

  async findByEmail(email: string): Promise<AdminUserPage> {
    const users = await this.users.findByEmailPrefix(email.trim(), USER_SEARCH_LIMIT);
    const counts = await this.connections.countByUsers(users.map((user) => user.id));
    return { items: users.map((user) => toAdminUserResponse(user, counts.get(user.id) ?? 0)) };
  }

  /** Unknown ids answer online: false, like a user who never connected (a service learns nothing more). */
  async presence(userIds: string[]): Promise<PresenceResponse> {
    const ids = [...new Set(userIds.map(Number))];
    const [counts, lastSeen] = await Promise.all([this.connections.countByUsers(ids), this.users.findLastSeen(ids)]);
    return {
      items: userIds.map((userId) => {
        const connections = counts.get(Number(userId)) ?? 0;
        return {
          userId,
          online: connections > 0,
          connections,
          lastSeenAt: lastSeen.get(Number(userId))?.toISOString() ?? null,
        };
      }),
    };
  }

  private async closeAll(userId: number): Promise<number> {
    // Every row, expired ones too (findConnectionIdsByUser skips those: they get no pushes, but are still open).
    const ids = (await this.connections.findByUser(userId)).map((row) => row.connectionId);
    return this.sockets.closeConnections(ids).catch((error: unknown) => {
      throw new ManagementApiUnavailableError(error);
    });
  }
}

function toAdminUserResponse(user: User, connections: number): AdminUserResponse {
  return {
    ...toUserResponse(user),
    blocked: user.blockedAt !== null,
    online: connections > 0,
    connections,
    lastSeenAt: user.lastSeenAt?.toISOString() ?? null,
  };
}
