import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { TokenSubject } from '../auth-user.js';

export const TOKEN_SUBJECT_ONLY = 'gavel:tokenSubjectOnly';

/**
 * The JWT guard verifies the token (signature, algorithm, expiry) but does not load its user: the
 * handler gets the token's user id through `@TokenSubject()` and must prove that user still exists in
 * the same statement that uses the id — e.g. an INSERT whose foreign key to `users` refuses a deleted
 * user — and answer 401 when it does not. That saves a query on hot paths and leaves no window between
 * the check and the write. The request carries no roles, so `@Roles()` on such a route always refuses.
 */
export const TokenSubjectOnly = () => SetMetadata(TOKEN_SUBJECT_ONLY, true);

/** The verified token's user id on a `@TokenSubjectOnly()` route. */
export const CurrentTokenSubject = createParamDecorator((_data: unknown, context: ExecutionContext): TokenSubject => {
  const subject = context.switchToHttp().getRequest<{ user?: Partial<TokenSubject> }>().user;
  // Only the JWT guard of a @TokenSubjectOnly() route sets this shape; anything else is a wiring mistake.
  if (!subject || subject.tokenOnly !== true || typeof subject.id !== 'number')
    throw new Error('@CurrentTokenSubject() needs @TokenSubjectOnly() on the route');
  return {
    id: subject.id,
    tokenOnly: true,
    tokenVersion: subject.tokenVersion ?? 0,
    ...(subject.expiresAt ? { expiresAt: subject.expiresAt } : {}),
  };
});
