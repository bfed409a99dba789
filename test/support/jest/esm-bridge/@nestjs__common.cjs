// @nestjs/common for require(): the ES module instance test/support/jest/setup.ts loaded (see ../resolver.cjs).
const loaded = globalThis[Symbol.for('gavel.jest.esmForRequire')];
if (!loaded) throw new Error('@nestjs/common was require()d before test/support/jest/setup.ts ran');
module.exports = loaded['@nestjs/common'];
