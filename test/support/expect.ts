/**
 * Jest's `expect`, plus the optional second argument that names the case, shown above the failure:
 *   expect(answer.status, `seed ${seed} #${n} ${path}`).toBe(400);
 * Jest's own `expect` throws "Expect takes at most one argument". Every other use (expect.any,
 * expect.objectContaining, .not, .resolves, .rejects) is Jest's own.
 */
import { fileURLToPath } from 'node:url';
import { expect as jestExpect } from '@jest/globals';

type JestExpect = typeof jestExpect;

const here = fileURLToPath(import.meta.url);

function annotate(thrown: unknown, message: string): unknown {
  // Not `instanceof Error`: matcher errors may come from another realm than the test's.
  if (typeof (thrown as Error | null)?.message !== 'string') return thrown;
  const error = thrown as Error;
  error.message = `${message}\n\n${error.message}`;
  // Point the code frame at the test's line, not at this file.
  if (error.stack)
    error.stack = error.stack
      .split('\n')
      .filter((line) => !line.includes(here))
      .join('\n');
  return error;
}

function withMessage<T extends object>(target: T, message: string): T {
  return new Proxy(target, {
    get(object, key) {
      const value: unknown = Reflect.get(object, key);
      if (typeof value === 'function') {
        return (...args: unknown[]) => {
          let result: unknown;
          try {
            result = value.apply(object, args);
          } catch (error) {
            throw annotate(error, message);
          }
          // .resolves/.rejects matchers answer with a promise (not always of this realm's Promise).
          if (typeof (result as PromiseLike<unknown> | undefined)?.then === 'function') {
            return Promise.resolve(result).catch((error: unknown) => Promise.reject(annotate(error, message)));
          }
          return result;
        };
      }
      // .not, .resolves, .rejects
      if (value !== null && typeof value === 'object') return withMessage(value, message);
      return value;
    },
  });
}

function expectWithMessage<T = unknown>(actual: T, message?: string): ReturnType<typeof jestExpect<T>> {
  const matchers = jestExpect(actual);
  return message === undefined ? matchers : withMessage(matchers, message);
}

export const expect: JestExpect & typeof expectWithMessage = Object.assign(expectWithMessage, jestExpect);
