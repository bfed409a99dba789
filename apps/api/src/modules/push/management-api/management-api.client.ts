import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { SigningCredentials } from './execute-api-signer.js';
import { fastPostToConnection } from './fast-post-to-connection.plugin.js';
import { DELIVERED, isGone, postOutcomeOf, type PostOutcome } from './management-api.errors.js';
import { UndiciRequestHandler } from './undici-request-handler.js';

export interface ManagementApiOptions {
  /** APIGW_ENDPOINT: `https://{api}.execute-api.{region}.amazonaws.com/{stage}` on AWS, the local gateway otherwise. */
  endpoint: string;
  region: string;
  /** Static credentials (local gateway); omit on AWS to use the SDK's default chain (the task's IAM role). */
  credentials?: SigningCredentials;
  /** Keep-alive sockets: at least the push concurrency. */
  connections: number;
  requestTimeoutMs: number;
  /** Told the duration of every management API call and how it ended (GET /metrics). */
  observe?: ManagementCallObserver;
}

export type ManagementOperation = 'post' | 'get' | 'delete';
/** A PostOutcome kind for `post`; `found` / `deleted` / `gone` / `error` for the others. */
export type ManagementCallObserver = (operation: ManagementOperation, result: string, seconds: number) => void;

export interface LiveConnection {
  connectedAt: Date;
  lastActiveAt: Date;
  sourceIp?: string;
  userAgent?: string;
}

/**
 * The one adapter around the AWS SDK's `ApiGatewayManagementApiClient`: nothing else in the API
 * imports the SDK. It answers in Gavel's terms (PostOutcome, LiveConnection | null, 'deleted' | 'gone');
 * the SDK's exception classes are classified here, in management-api.errors.ts.
 *
 * Retries: PostToConnection makes one attempt (the fast path skips the SDK's retry step) and the
 * caller retries `throttled` / retryable `failed` with its own jittered backoff and counting.
 * GetConnection and DeleteConnection keep the SDK's standard retry (3 attempts).
 */
export class ManagementApiClient {
  private readonly handler: UndiciRequestHandler;
  private readonly client: ApiGatewayManagementApiClient;
  private readonly observe: ManagementCallObserver;

  constructor(options: ManagementApiOptions) {
    this.observe = options.observe ?? (() => undefined);
    this.handler = new UndiciRequestHandler({
      connections: options.connections,
      requestTimeoutMs: options.requestTimeoutMs,
    });
    this.client = new ApiGatewayManagementApiClient({
      endpoint: options.endpoint,
      region: options.region,
      credentials: options.credentials,
      requestHandler: this.handler,
      cacheMiddleware: true,
      maxAttempts: 3,
    });
    const client = this.client;
    this.client.middlewareStack.use(
      fastPostToConnection({
        endpoint: options.endpoint,
        region: options.region,
        credentials: () => client.config.credentials(),
        handler: this.handler,
      }),
    );
  }

  /**
   * Sends `data` as one frame, once; never rejects. Pass the same buffer for every recipient of an
   * event: its hash is computed once.
   */
  async postToConnection(connectionId: string, data: Uint8Array): Promise<PostOutcome> {
    const started = performance.now();
    let outcome: PostOutcome;
    try {
      await this.client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }));
      outcome = DELIVERED;
    } catch (error) {
      outcome = postOutcomeOf(error);
    }
    this.observe('post', outcome.kind, (performance.now() - started) / 1000);
    return outcome;
  }

  /** The gateway's view of a connection; null when it no longer exists. Other failures reject. */
  async getConnection(connectionId: string): Promise<LiveConnection | null> {
    const started = performance.now();
    let answer;
    try {
      answer = await this.client.send(new GetConnectionCommand({ ConnectionId: connectionId }));
      this.observe('get', 'found', (performance.now() - started) / 1000);
    } catch (error) {
      const gone = isGone(error);
      this.observe('get', gone ? 'gone' : 'error', (performance.now() - started) / 1000);
      if (gone) return null;
      throw error;
    }
    return {
      connectedAt: answer.ConnectedAt ?? new Date(0),
      lastActiveAt: answer.LastActiveAt ?? answer.ConnectedAt ?? new Date(0),
      sourceIp: answer.Identity?.SourceIp,
      userAgent: answer.Identity?.UserAgent,
    };
  }

  /** Closes the connection on the gateway (which then fires `$disconnect`); 'gone' when it no longer existed. Other failures reject. */
  async deleteConnection(connectionId: string): Promise<'deleted' | 'gone'> {
    const started = performance.now();
    try {
      await this.client.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
      this.observe('delete', 'deleted', (performance.now() - started) / 1000);
      return 'deleted';
    } catch (error) {
      const gone = isGone(error);
      this.observe('delete', gone ? 'gone' : 'error', (performance.now() - started) / 1000);
      if (gone) return 'gone';
      throw error;
    }
  }

  /** Waits for requests in flight (a graceful close of the keep-alive pools), then releases the client. */
  async close(): Promise<void> {
    await this.handler.close();
    this.client.destroy();
  }
}
