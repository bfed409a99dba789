export * from './canonical-request.js';
