/** REST calls to the page's own origin (contract §4); errors keep Nest's `{statusCode, message, error}` text. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** Every message of the answer (validation errors name each field). */
    readonly messages: string[],
    readonly body: unknown,
  ) {
    super(messages.join(' '));
    this.name = 'ApiError';
  }
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** Do not treat a 401 as an expired session (sign-in itself answers 401 for a wrong password). */
  anonymous?: boolean;
}

export class ApiClient {
  constructor(
    private readonly base: string,
    /** The access token for each call (session.freshToken: refreshed near its expiry). */
    private readonly token: () => string | null | Promise<string | null>,
    private readonly onSessionExpired: () => void,
  ) {}

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body: unknown, options: Omit<RequestOptions, 'body'> = {}): Promise<T> {
    return this.request<T>('POST', path, { ...options, body });
  }

  delete(path: string): Promise<void> {
    return this.request<void>('DELETE', path);
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    const token = options.anonymous ? null : await this.token();
    if (token) headers.authorization = `Bearer ${token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(this.base + path.replace(/^\//, ''), {
        method,
        headers,
        // The refresh cookie (Path=/auth) goes only to the page's own origin.
        credentials: 'same-origin',
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
    } catch {
      throw new ApiError(0, ['The server cannot be reached. Check your connection and try again.'], null);
    }
    const text = await response.text();
    const body = text ? safeJson(text) : undefined;
    if (!response.ok) {
      if (response.status === 401 && token) this.onSessionExpired();
      throw new ApiError(response.status, errorMessages(body, response), body);
    }
    return body as T;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function errorMessages(body: unknown, response: Response): string[] {
  if (body && typeof body === 'object' && 'message' in body) {
    const { message } = body as { message: unknown };
    if (Array.isArray(message)) return message.map(String);
    if (typeof message === 'string' && message) return [message];
  }
  return [`${response.status} ${response.statusText || 'error'}`.trim()];
}
