/**
 * Runs before every test file (jest.config.js setupFilesAfterEnv). Loads the ES modules that CommonJS
 * packages require() — see resolver.cjs — so the bridge can hand them the same instances.
 */
import * as nestCommon from '@nestjs/common';
import * as nestCore from '@nestjs/core';

(globalThis as Record<symbol, unknown>)[Symbol.for('gavel.jest.esmForRequire')] = {
  '@nestjs/common': nestCommon,
  '@nestjs/core': nestCore,
};
