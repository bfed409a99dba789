import { HttpRequest } from '@smithy/protocol-http';
import type { ServiceInputTypes, ServiceOutputTypes } from '@aws-sdk/client-apigatewaymanagementapi';
import type {
  AbsoluteLocation,
  AwsCredentialIdentity,
  HandlerOptions,
  InitializeMiddleware,
  Pluggable,
} from '@smithy/types';
import { ExecuteApiSigner, canonicalPath, encodeRfc3986, hashPayload } from './execute-api-signer.js';
import { managementApiError } from './management-api.errors.js';
import type { UndiciRequestHandler } from './undici-request-handler.js';

export interface FastPostToConnectionOptions {
  /** The management endpoint, e.g. `https://abc.execute-api.eu-west-1.amazonaws.com/prod` or `http://127.0.0.1:3001`. */
  endpoint: string;
  region: string;
  credentials: () => Promise<AwsCredentialIdentity>;
  handler: UndiciRequestHandler;
}

/** Connection paths kept for signing (~150 bytes each); the cache starts over when it is full. */
const PATH_CACHE_ENTRIES = 20_000;

const middlewareOptions: HandlerOptions & AbsoluteLocation & { step: 'initialize' } = {
  step: 'initialize',
  priority: 'high',
  name: 'fastPostToConnection',
  override: true,
};

/**
 * A client plugin that runs `PostToConnectionCommand` as one precompiled step: build the request,
 * sign it (SigV4, payload hash computed once per payload buffer), send it through the client's own
 * request handler, and turn an error answer into the SDK's own exception classes.
 *
 * Why: the generic per-command pipeline (schema serializer, endpoint rules, retry bookkeeping, user
 * agent, generic signer) costs about 100–160 µs of CPU per call, so a 5,000-way fan-out would spend
 * most of a second in the SDK. Callers still use `client.send(new PostToConnectionCommand(…))`; every
 * other command keeps the stock pipeline. Retries stay with the caller (PushService), which needs to
 * count them and to apply its own jittered backoff.
 */
export function fastPostToConnection(
  options: FastPostToConnectionOptions,
): Pluggable<ServiceInputTypes, ServiceOutputTypes> {
  const endpoint = new URL(options.endpoint);
  const basePath = endpoint.pathname.replace(/\/+$/, '');
  const signer = new ExecuteApiSigner(options.region);
  const payloadHashes = new WeakMap<object, string>();

  // A connection's request path and its canonical (twice-encoded) form: every broadcast signs the same ones again.
  const paths = new Map<string, { path: string; canonicalUri: string }>();
  const pathsOf = (connectionId: string): { path: string; canonicalUri: string } => {
    let entry = paths.get(connectionId);
    if (entry === undefined) {
      const path = `${basePath}/@connections/${encodeRfc3986(connectionId)}`;
      entry = { path, canonicalUri: canonicalPath(path) };
      if (paths.size >= PATH_CACHE_ENTRIES) paths.clear();
      paths.set(connectionId, entry);
    }
    return entry;
  };

  const payloadHashOf = (data: Uint8Array | string): string => {
    if (typeof data === 'string') return hashPayload(data);
    let hash = payloadHashes.get(data);
    if (hash === undefined) {
      hash = hashPayload(data);
      payloadHashes.set(data, hash);
    }
    return hash;
  };

  const middleware: InitializeMiddleware<ServiceInputTypes, ServiceOutputTypes> = (next, context) => async (args) => {
    if (context.commandName !== 'PostToConnectionCommand') return next(args);
    const input = args.input as { ConnectionId?: string; Data?: Uint8Array | string };
    if (!input.ConnectionId) throw new Error('PostToConnection needs a ConnectionId');
    const data = input.Data ?? new Uint8Array();
    const body = typeof data === 'string' ? Buffer.from(data) : data;
    const { path, canonicalUri } = pathsOf(input.ConnectionId);
    const signed = signer.sign(
      { method: 'POST', host: endpoint.host, path, canonicalUri, payloadHash: payloadHashOf(data) },
      await options.credentials(),
    );
    const request = new HttpRequest({
      method: 'POST',
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      port: endpoint.port ? Number(endpoint.port) : undefined,
      path,
      headers: {
        host: endpoint.host,
        'content-type': 'application/octet-stream',
        'content-length': String(body.byteLength),
        ...signed,
      },
      body,
    });
    const { response } = await options.handler.handle(request);
    if (response.statusCode >= 300)
      throw managementApiError(response.statusCode, response.headers, response.body as Uint8Array);
    return {
      response,
      output: {
        $metadata: {
          httpStatusCode: response.statusCode,
          requestId: response.headers['x-amzn-requestid'],
          attempts: 1,
          totalRetryDelay: 0,
        },
      },
    };
  };

  return { applyToStack: (stack) => stack.add(middleware, middlewareOptions) };
}
