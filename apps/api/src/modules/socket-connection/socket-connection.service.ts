import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { AuthUser, TokenSubject } from '../../common/auth-user.js';
import { AppConfig } from '../../config/env.js';
import { decodeCursor, encodeCursor } from './connection-cursor.js';
import {
  type AdminConnectionPage,
  type AdminConnectionQuery,
  type OwnConnectionResponse,
  type RegisterConnectionDto,
  type RegisteredConnectionResponse,
  toAdminConnectionResponse,
  toOwnConnectionResponse,
  toRegisteredConnectionResponse,
} from './socket-connection.dto.js';
import {
  ConnectionHeldByAnotherUserError,
  RegistrationExpiredError,
  TokenRevokedError,
  TokenUserGoneError,
  TooManyConnectionsError,
} from './socket-connection.errors.js';
import {
  CONNECTION_REGISTERED_HOOK,
  type ConnectionRegisteredHook,
  type RegisteredConnection,
  STALE_CONNECTION_PROBE,
  type StaleConnectionProbe,
} from './socket-connection.hook.js';
import { SocketConnectionRepository } from './socket-connection.repository.js';
import { UserRepository } from '../user/user.repository.js';

const USER_AGENT_MAX = 512;
const DEFAULT_PAGE = 50;
/**
 * A registration moves users.last_seen_at only when it is older than this: several connections of one user
 * (tabs, devices, reconnects) would otherwise each cost an UPDATE. While a connection is open the user is
 * online anyway (GET /presence), and `$disconnect` always writes it.
 */
export const LAST_SEEN_RESOLUTION_MS = 30_000;

type RegistrationState = NonNullable<Awaited<ReturnType<SocketConnectionRepository['findRegistrationState']>>>;

@Injectable()
export class SocketConnectionService {
  private readonly logger = new Logger(SocketConnectionService.name);

  constructor(
    private readonly connections: SocketConnectionRepository,
    private readonly users: UserRepository,
    private readonly config: AppConfig,
    @Optional() @Inject(CONNECTION_REGISTERED_HOOK) private readonly hook?: ConnectionRegisteredHook,
    @Optional() @Inject(STALE_CONNECTION_PROBE) private readonly staleProbe?: StaleConnectionProbe,
  ) {}

  /**
   * Links a gateway connection to the user of a verified token. Idempotent for the same user (the
   * Lambda may retry); an id held by someone else is a conflict, never a takeover. The user is not
   * looked up beforehand: the insert's foreign key proves the user exists (401 when it does not).
   */
  async register(
    subject: TokenSubject,
    dto: RegisterConnectionDto,
  ): Promise<{ created: boolean; body: RegisteredConnectionResponse }> {
    const userId = subject.id;
    // Insert first: almost every call is a new connection, so a lookup before it would be a wasted query.
    // The unique index turns a retry (or a concurrent insert of the same id) into 'taken': then decide on the stored row.
    const inserted = await this.connections.insert({
      connectionId: dto.connectionId,
      userId,
      sourceIp: dto.sourceIp ?? null,
      userAgent: dto.userAgent?.slice(0, USER_AGENT_MAX) ?? null,
      expiresAt: subject.expiresAt ?? null,
    });
    if (inserted === 'unknown-user') throw new TokenUserGoneError();
    const created = inserted !== 'taken';
    const row = created ? inserted : await this.connections.findByConnectionId(dto.connectionId);
    // Gone between the insert and the read: expired and swept, kicked or revoked meanwhile.
    if (!row) throw new RegistrationExpiredError();
    if (row.userId !== userId) {
      // A deleted user's token is refused as such (401) before any question of who holds the id.
      if (!(await this.users.exists(userId))) throw new TokenUserGoneError();
      throw new ConnectionHeldByAnotherUserError();
    }
    // One read once the row is written: the token state, the rows registered before this one, last_seen_at's age.
    const seenSince = new Date(Date.now() - LAST_SEEN_RESOLUTION_MS);
    const read = await this.connections.findRegistrationState(userId, created ? row.id : null, seenSince);
    const state = await this.refuseRevokedToken(subject, read, row.connectionId, created);
    if (created) await this.enforceConnectionLimit(row.id, row.connectionId, userId, state.connectionsBefore);
    else if (!(await this.connections.extend(row.connectionId, subject.expiresAt ?? null)))
      throw new RegistrationExpiredError();
    if (state.lastSeenBefore) await this.users.touchLastSeen(userId);
    this.notifyRegistered({
      connectionId: row.connectionId,
      userId,
      since: dto.since === undefined ? undefined : String(dto.since),
      created,
      notificationsSentAfter: created ? null : row.notificationsSentAfter,
    });
    return { created, body: toRegisteredConnectionResponse(row) };
  }

  /**
   * The token must still count: issued under the user's current token_version, user not blocked. Checked
   * AFTER the row is written, never before: sign out everywhere and block bump the version first and list
   * the user's connections second, so whatever the interleaving either this check sees the new version
   * (and removes the row) or their listing sees the row (and closes the connection). Answers the state
   * when the token counts (undefined state: the user is gone).
   */
  private async refuseRevokedToken(
    subject: TokenSubject,
    state: RegistrationState | undefined,
    connectionId: string,
    created: boolean,
  ): Promise<RegistrationState> {
    if (state && !state.blocked && state.tokenVersion === subject.tokenVersion) return state;
    // A repeated auth with a revoked token: the connection was registered under a token that is revoked too.
    if (created || state) await this.connections.deleteByConnectionId(connectionId);
    if (!state) throw new TokenUserGoneError();
    throw new TokenRevokedError();
  }

  /**
   * At most MAX_CONNECTIONS_PER_USER rows per user. Checked after the insert, against the rows registered
   * before this one: of concurrent registrations past the limit the later ones lose, never all of them.
   * A re-registration of a held id never gets here (it is not a new connection). At the limit, rows the
   * gateway no longer knows (their `$disconnect` never came: a gateway crash) are removed and not counted.
   * `before`: that count, read with the token state after the insert.
   */
  private async enforceConnectionLimit(
    id: number,
    connectionId: string,
    userId: number,
    before: number,
  ): Promise<void> {
    const max = this.config.maxConnectionsPerUser;
    if (before < max) return;
    if (this.staleProbe) {
      const others = (await this.connections.findConnectionIdsByUser(userId)).filter((other) => other !== connectionId);
      if (
        (await this.staleProbe.removeGoneConnections(others)) > 0 &&
        (await this.connections.countOfUserBefore(userId, id)) < max
      )
        return;
    }
    await this.connections.deleteByConnectionId(connectionId);
    throw new TooManyConnectionsError(max);
  }

  /** The `$disconnect` Lambda's call: removing an unknown id is fine (delivery is best effort). */
  async unregister(connectionId: string): Promise<void> {
    const row = await this.connections.findByConnectionId(connectionId);
    if (!row) return;
    if (await this.connections.deleteByConnectionId(connectionId)) await this.users.touchLastSeen(row.userId);
  }

  async listOwn(user: AuthUser): Promise<OwnConnectionResponse[]> {
    return (await this.connections.findByUser(user.id)).map(toOwnConnectionResponse);
  }

  async listAll(query: AdminConnectionQuery): Promise<AdminConnectionPage> {
    const limit = query.limit ?? DEFAULT_PAGE;
    const afterId = decodeCursor(query.cursor);
    // One row more than asked tells whether there is a next page without a second query.
    const { rows, total } = await this.connections.pageWithUsers({ afterId, limit: limit + 1, userId: query.userId });
    const page = rows.slice(0, limit);
    const nextCursor = rows.length > limit ? encodeCursor(page[page.length - 1]!.id) : null;
    return { items: page.map(toAdminConnectionResponse), nextCursor, total };
  }

  /** Fire and forget, after the answer is decided: the hook talks to the gateway and must not delay the Lambda. */
  private notifyRegistered(connection: RegisteredConnection): void {
    const hook = this.hook;
    if (!hook) return;
    setImmediate(() => {
      Promise.resolve()
        .then(() => hook.onRegistered(connection))
        .catch((error: unknown) =>
          this.logger.error(
            `connection-registered hook failed for ${connection.connectionId}: ${error instanceof Error ? error.message : String(error)}`,
          ),
        );
    });
  }
}
