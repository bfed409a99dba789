/** One line per connect / disconnect / route invocation; silent unless a sink is given (tests stay quiet). */
export interface GatewayLogger {
  connected(connectionId: string, sourceIp: string): void;
  disconnected(connectionId: string, code: number, reason: string): void;
  routed(connectionId: string, routeKey: string, outcome: string, elapsedMs: number): void;
  rejected(reason: string, status: number): void;
  error(message: string, error?: unknown): void;
}

export const silentLogger: GatewayLogger = {
  connected() {},
  disconnected() {},
  routed() {},
  rejected() {},
  error() {},
};

export function lineLogger(write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): GatewayLogger {
  return {
    connected: (id, ip) => write(`CONNECT    ${id} from ${ip}`),
    disconnected: (id, code, reason) => write(`DISCONNECT ${id} ${code}${reason ? ` ${reason}` : ''}`),
    routed: (id, route, outcome, ms) => write(`ROUTE      ${id} ${route} → ${outcome} (${ms} ms)`),
    rejected: (reason, status) => write(`REJECT     handshake ${status}: ${reason}`),
    error: (message, error) =>
      write(
        `ERROR      ${message}${error ? `: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}` : ''}`,
      ),
  };
}
