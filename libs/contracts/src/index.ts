export * from './events.js';
export * from './limits.js';
export * from './messages.js';
export type * from './websocket-event.js';
