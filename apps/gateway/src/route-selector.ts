import type { WebSocketHandler } from '@gavel/contracts';

/** A route as the gateway runs it: the route table's entry with its handler function loaded. */
export interface GatewayRoute {
  routeKey: string;
  /** Two-way: the handler's `body` is sent back to the client as one frame. */
  twoWay: boolean;
  handler: WebSocketHandler;
  /** Shown in logs and the Lambda context; defaults to the route key. */
  functionName?: string;
}

const SPECIAL_ROUTES = new Set(['$connect', '$disconnect', '$default']);

/**
 * Route selection with the expression `$request.body.action`: a JSON object body whose `action`
 * names a custom route goes there; anything else (not JSON, no such route) goes to
 * `$default`, or nowhere when the table has none — the caller then answers "Forbidden" as AWS does.
 */
export class RouteSelector {
  readonly connect: GatewayRoute | undefined;
  readonly disconnect: GatewayRoute | undefined;
  private readonly fallback: GatewayRoute | undefined;
  private readonly custom = new Map<string, GatewayRoute>();

  constructor(routes: readonly GatewayRoute[]) {
    const byKey = new Map<string, GatewayRoute>();
    for (const route of routes) {
      if (byKey.has(route.routeKey)) throw new Error(`Duplicate route key ${route.routeKey}`);
      byKey.set(route.routeKey, route);
      if (!SPECIAL_ROUTES.has(route.routeKey)) this.custom.set(route.routeKey, route);
    }
    this.connect = byKey.get('$connect');
    this.disconnect = byKey.get('$disconnect');
    this.fallback = byKey.get('$default');
  }

  select(body: string | undefined): GatewayRoute | undefined {
    if (body && this.custom.size > 0) {
      const action = actionOf(body);
      const route = action === undefined ? undefined : this.custom.get(action);
      if (route) return route;
    }
    return this.fallback;
  }
}

function actionOf(body: string): string | undefined {
  // Cheap pre-check: most non-JSON traffic never reaches JSON.parse.
  const first = body.trimStart()[0];
  if (first !== '{') return undefined;
  try {
    const value = JSON.parse(body) as unknown;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    const action = (value as { action?: unknown }).action;
    if (typeof action === 'string') return action;
    // JSONPath yields numbers and booleans too; API Gateway compares their text form.
    if (typeof action === 'number' || typeof action === 'boolean') return String(action);
    return undefined;
  } catch {
    return undefined;
  }
}
