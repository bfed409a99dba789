import type { GatewayConnection } from './gateway-connection.js';

/** The live connections by id: what the `@connections` routes look up. */
export class ConnectionRegistry {
  private readonly connections = new Map<string, GatewayConnection>();

  add(connection: GatewayConnection): void {
    this.connections.set(connection.id, connection);
  }

  get(connectionId: string): GatewayConnection | undefined {
    return this.connections.get(connectionId);
  }

  remove(connection: GatewayConnection): void {
    if (this.connections.get(connection.id) === connection) this.connections.delete(connection.id);
  }

  get size(): number {
    return this.connections.size;
  }

  all(): IterableIterator<GatewayConnection> {
    return this.connections.values();
  }
}
