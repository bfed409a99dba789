/**
 * THE route table: the local gateway (apps/gateway) runs it and infra/ deploys it.
 * Adding a route here is the only step needed for both.
 */
export interface RouteDefinition {
  /** API Gateway route key: `$connect`, `$disconnect`, `$default` or a value of `$request.body.action`. */
  readonly routeKey: string;
  /** Folder under lambdas/ holding `handler.ts` (exported `handler`). */
  readonly handler: string;
  /**
   * A two-way route: it has a route response (`routeResponseSelectionExpression: $default`),
   * so the Lambda's `body` is sent back to the client as one frame.
   */
  readonly twoWay: boolean;
}

export const routeSelectionExpression = '$request.body.action';

export const routes: readonly RouteDefinition[] = [
  { routeKey: 'auth', handler: 'auth', twoWay: true },
  { routeKey: 'subscribe', handler: 'subscribe', twoWay: true },
  { routeKey: 'unsubscribe', handler: 'unsubscribe', twoWay: true },
  { routeKey: '$disconnect', handler: 'disconnect', twoWay: false },
  { routeKey: '$default', handler: 'default', twoWay: true },
];
