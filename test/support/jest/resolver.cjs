/**
 * Jest resolver: the default one, except for the ESM-only packages that a CommonJS package require()s
 * (@nestjs/throttler requires @nestjs/common and @nestjs/core). Node 20 can require() ES modules, but Jest
 * can do so only on Node 24.9+; below that, such a require() gets a bridge that hands back the very module
 * instance the ES modules of the same test file use (loaded by setup.ts), so there is one @nestjs/common.
 */
const { join } = require('node:path');

const BRIDGED = new Set(['@nestjs/common', '@nestjs/core']);

module.exports = (request, options) => {
  if (BRIDGED.has(request) && options.conditions?.includes('require') && !options.conditions.includes('import')) {
    return join(__dirname, 'esm-bridge', `${request.replace('/', '__')}.cjs`);
  }
  return options.defaultResolver(request, options);
};
