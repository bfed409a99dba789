import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { ApiKeyRequest } from '../guards/api-key.guard.js';

/**
 * Who is calling, as idempotency scopes name it: the API key's kind (`service`, `gateway`) when the
 * request was authenticated by a key, else `user:<id>` of the JWT's user.
 */
export const Caller = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const request = context.switchToHttp().getRequest<ApiKeyRequest & { user?: { id: number } }>();
  return request.apiKey ?? `user:${request.user?.id}`;
});
