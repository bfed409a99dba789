import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { AwsCredentialIdentity } from '@smithy/types';
import { fastPostToConnection } from './fast-post-to-connection.plugin.js';
import { UndiciRequestHandler } from './undici-request-handler.js';

export interface ManagementApiOptions {
  /** APIGW_ENDPOINT: `https://{api}.execute-api.{region}.amazonaws.com/{stage}` on AWS, the local gateway otherwise. */
  endpoint: string;
  region: string;
  /** Static credentials (local gateway); omit on AWS to use the SDK's default chain (the task's IAM role). */
  credentials?: AwsCredentialIdentity;
  /** Keep-alive sockets: at least the push concurrency. */
  connections: number;
  requestTimeoutMs: number;
}

export interface LiveConnection {
  connectedAt: Date;
  lastActiveAt: Date;
  sourceIp?: string;
  userAgent?: string;
}

/**
 * The one adapter around the AWS SDK's `ApiGatewayManagementApiClient`: nothing else in the API
 * imports the SDK client. Errors are the SDK's own exception classes (see management-api.errors.ts).
 */
export class ManagementApiClient {
  private readonly handler: UndiciRequestHandler;
  private readonly client: ApiGatewayManagementApiClient;

  constructor(options: ManagementApiOptions) {
    this.handler = new UndiciRequestHandler({ connections: options.connections, requestTimeoutMs: options.requestTimeoutMs });
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

  /** Sends `data` as one frame. Pass the same buffer for every recipient of an event: its hash is computed once. */
  async postToConnection(connectionId: string, data: Uint8Array): Promise<void> {
    await this.client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }));
  }

  /** Throws the SDK's `GoneException` when the connection no longer exists. */
  async getConnection(connectionId: string): Promise<LiveConnection> {
    const answer = await this.client.send(new GetConnectionCommand({ ConnectionId: connectionId }));
    return {
      connectedAt: answer.ConnectedAt ?? new Date(0),
      lastActiveAt: answer.LastActiveAt ?? answer.ConnectedAt ?? new Date(0),
      sourceIp: answer.Identity?.SourceIp,
      userAgent: answer.Identity?.UserAgent,
    };
  }

  /** Closes the connection on the gateway (which then fires `$disconnect`). Throws `GoneException` when unknown. */
  async deleteConnection(connectionId: string): Promise<void> {
    await this.client.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
  }

  /** Waits for requests in flight (a graceful close of the keep-alive pools), then releases the client. */
  async close(): Promise<void> {
    await this.handler.close();
    this.client.destroy();
  }
}
