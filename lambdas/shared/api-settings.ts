/**
 * Where a Lambda finds the API it calls and the key it sends (`API_BASE_URL`, `GATEWAY_API_KEY`).
 *
 * * Locally (apps/gateway) both are plain environment variables.
 * * On AWS (infra/) the template holds neither: the function gets `API_SETTINGS_SECRET_ID`, the ARN
 *   of one Secrets Manager secret `{"apiBaseUrl": "...", "gatewayApiKey": "..."}`, and reads it through
 *   the AWS Parameters and Secrets Lambda Extension (a layer, an HTTP server on localhost). That keeps
 *   the AWS SDK out of the bundle and caches the secret across invocations.
 *
 * The extension answers only during invocations, never while the module initialises, so this is a
 * function the handler awaits, not a module-scope constant. A short cache here means a rotated key is
 * picked up within about `cacheMs` plus the extension's own TTL, without a redeploy.
 */

export const API_SETTINGS_SECRET_ENV = 'API_SETTINGS_SECRET_ID';

/** The secret's JSON keys (deliberately not the env variable names, so no template ever spells those). */
export interface ApiSettingsSecret {
  apiBaseUrl: string;
  gatewayApiKey: string;
}

export class ApiSettingsError extends Error {
  override readonly name = 'ApiSettingsError';
}

export interface LoadApiSettingsOptions {
  /** Defaults to `process.env`; tests pass their own. */
  env?: Record<string, string | undefined>;
  /** Skip this module's cache, e.g. after the API answered 403 to a key that was just rotated. */
  refresh?: boolean;
  /** How long a fetched secret is reused here (the extension caches too). */
  cacheMs?: number;
  now?: () => number;
}

const DEFAULT_CACHE_MS = 60_000;
const EXTENSION_DEFAULT_PORT = '2773';
const EXTENSION_TIMEOUT_MS = 3_000;

/** Where the Lambdas reach the API, and the key they send it. */
export interface ApiSettings {
  baseUrl: string;
  apiKey: string;
}

let cached: { settings: ApiSettings; fetchedAt: number } | undefined;

/** `{ baseUrl, apiKey }` ready for `createApiClient`. Throws `ApiSettingsError` naming what is missing. */
export async function loadApiSettings(options: LoadApiSettingsOptions = {}): Promise<ApiSettings> {
  const env = options.env ?? process.env;
  const now = options.now ?? Date.now;
  const secretId = env[API_SETTINGS_SECRET_ENV];
  if (!secretId) return fromEnvironment(env);

  const cacheMs = options.cacheMs ?? DEFAULT_CACHE_MS;
  if (!options.refresh && cached && now() - cached.fetchedAt < cacheMs) return cached.settings;
  const settings = parseSecret(await fetchSecretString(secretId, env), secretId);
  cached = { settings, fetchedAt: now() };
  return settings;
}

/** Forget the cached secret (tests; a warm container after a rotation uses `refresh` instead). */
export function clearApiSettingsCache(): void {
  cached = undefined;
}

function fromEnvironment(env: Record<string, string | undefined>): ApiSettings {
  const baseUrl = env.API_BASE_URL;
  const apiKey = env.GATEWAY_API_KEY;
  const missing = [!baseUrl && 'API_BASE_URL', !apiKey && 'GATEWAY_API_KEY'].filter(Boolean);
  if (missing.length > 0) {
    throw new ApiSettingsError(
      `Missing environment variable ${missing.join(', ')} (or ${API_SETTINGS_SECRET_ENV} on AWS)`,
    );
  }
  return { baseUrl: baseUrl!, apiKey: apiKey! };
}

async function fetchSecretString(secretId: string, env: Record<string, string | undefined>): Promise<string> {
  // The extension only serves callers that prove they run in this sandbox: the session token of the role.
  const token = env.AWS_SESSION_TOKEN;
  if (!token)
    throw new ApiSettingsError(
      `${API_SETTINGS_SECRET_ENV} is set but AWS_SESSION_TOKEN is not (not running on Lambda?)`,
    );
  const port = env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT || EXTENSION_DEFAULT_PORT;
  const url = `http://localhost:${port}/secretsmanager/get?secretId=${encodeURIComponent(secretId)}`;

  let response: Response;
  try {
    response = await fetch(url, {
      headers: { 'X-Aws-Parameters-Secrets-Token': token },
      signal: AbortSignal.timeout(EXTENSION_TIMEOUT_MS),
    });
  } catch (error) {
    throw new ApiSettingsError(
      `Parameters and Secrets extension unreachable on port ${port} (is the layer attached?)`,
      { cause: error },
    );
  }
  const text = await response.text();
  if (!response.ok) {
    // The extension relays Secrets Manager's error (AccessDenied, ResourceNotFound…) in the body.
    throw new ApiSettingsError(`Reading secret ${secretId} failed: HTTP ${response.status} ${text.slice(0, 200)}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiSettingsError(`Reading secret ${secretId} failed: the extension's answer is not JSON`);
  }
  const secretString = (body as { SecretString?: unknown }).SecretString;
  if (typeof secretString !== 'string') throw new ApiSettingsError(`Secret ${secretId} has no SecretString`);
  return secretString;
}

function parseSecret(secretString: string, secretId: string): ApiSettings {
  let value: Partial<ApiSettingsSecret>;
  try {
    value = JSON.parse(secretString) as Partial<ApiSettingsSecret>;
  } catch {
    // Never echo the value: it holds the key.
    throw new ApiSettingsError(`Secret ${secretId} must be JSON {"apiBaseUrl", "gatewayApiKey"}`);
  }
  const missing = (['apiBaseUrl', 'gatewayApiKey'] as const).filter(
    (key) => typeof value?.[key] !== 'string' || value[key] === '',
  );
  if (missing.length > 0) throw new ApiSettingsError(`Secret ${secretId} lacks ${missing.join(', ')}`);
  return { baseUrl: value.apiBaseUrl!, apiKey: value.gatewayApiKey! };
}
