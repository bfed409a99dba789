export {
  connect,
  GavelClient,
  newerId,
  type AuctionSnapshot,
  type ClientEvents,
  type ClientStats,
  type ConnectionStatus,
  type ConnectOptions,
  type WebSocketConstructor,
  type WebSocketLike,
} from './client.js';
export { tokenExpiry } from './jwt.js';
export type * from './protocol.js';
