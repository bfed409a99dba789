export * from './dev-defaults.js';
