/**
 * A tiny client for the Gavel API as the Lambdas use it: JSON over HTTP keep-alive, the gateway's API key on
 * every call, and a timeout well below API Gateway's 29 s integration timeout so a hung API turns
 * into a clear answer to the client rather than a gateway-level "Internal server error".
 */
import { API_SETTINGS_SECRET_ENV, type ApiSettings, loadApiSettings } from './api-settings.js';
import { optionalEnv, requireEnv } from './env.js';
import { createHttpTransport, type HttpAnswer, type HttpTransport, HttpTransportError } from './http-transport.js';

export interface ApiClientOptions extends ApiSettings {
  timeoutMs?: number;
  /** How requests travel; by default node:http(s) with keep-alive to `baseUrl`. */
  transport?: HttpTransport;
}

export interface ApiResponse {
  status: number;
  /** Parsed JSON, or undefined for an empty / non-JSON body. */
  body: unknown;
}

/** The API could not be reached or did not answer in time. */
export class ApiUnavailableError extends Error {
  override readonly name = 'ApiUnavailableError';
}

export interface ApiRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface ApiClient {
  request(request: ApiRequest): Promise<ApiResponse>;
}

export const DEFAULT_API_TIMEOUT_MS = 5_000;

export function createApiClient({
  baseUrl,
  apiKey,
  timeoutMs = DEFAULT_API_TIMEOUT_MS,
  transport = createHttpTransport(baseUrl),
}: ApiClientOptions): ApiClient {
  return {
    async request({ method, path, body, headers }) {
      let answer: HttpAnswer;
      try {
        answer = await transport({
          method,
          path,
          headers: {
            'x-api-key': apiKey,
            accept: 'application/json',
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...headers,
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          timeoutMs,
        });
      } catch (error) {
        const reason =
          error instanceof HttpTransportError && error.timedOut
            ? 'timed out'
            : error instanceof Error
              ? error.message
              : String(error);
        const what =
          error instanceof HttpTransportError && error.stage === 'answer'
            ? 'API answer interrupted'
            : 'API unreachable';
        throw new ApiUnavailableError(`${what}: ${reason}`, { cause: error });
      }
      return { status: answer.status, body: parseJson(answer.text) };
    },
  };
}

/** The human message of a Nest error body (`message` may be a string or a list of validation messages). */
export function apiErrorMessage(body: unknown, fallback: string): string {
  if (body && typeof body === 'object' && 'message' in body) {
    const { message } = body as { message: unknown };
    if (typeof message === 'string' && message) return message;
    if (Array.isArray(message) && message.length > 0) return message.map(String).join('; ');
  }
  return fallback;
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The API client of a route Lambda, created at cold start. Locally (apps/gateway) `API_BASE_URL` and
 * `GATEWAY_API_KEY` are plain environment variables and are checked right here, at cold start; on AWS
 * they come from the settings secret (see api-settings.ts), which can only be read during an
 * invocation — hence a function the handler awaits. `refresh` re-reads the secret after a 403,
 * so a rotated key is picked up at once.
 */
export function lambdaApiClient(
  load: typeof loadApiSettings = loadApiSettings,
): (refresh?: boolean) => Promise<ApiClient> {
  if (!optionalEnv(API_SETTINGS_SECRET_ENV)) requireEnv('API_BASE_URL', 'GATEWAY_API_KEY');
  let current: { baseUrl: string; apiKey: string; client: ApiClient } | undefined;
  return async (refresh = false) => {
    const settings = await load({ refresh });
    if (current?.baseUrl !== settings.baseUrl || current.apiKey !== settings.apiKey) {
      current = { ...settings, client: createApiClient(settings) };
    }
    return current.client;
  };
}
