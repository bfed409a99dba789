// Jest on native ESM (npm test runs it with --experimental-vm-modules). SWC compiles the TypeScript so
// that NestJS gets real decorator metadata; the `.js` suffixes of the NodeNext imports map to the `.ts` sources.
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/{apps,libs,lambdas,infra,scripts,bench}/**/*.spec.ts', '<rootDir>/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/dist/', '<rootDir>/cdk.out/'],
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/cdk.out/'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json', 'node'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1', '^@gavel/([a-z0-9-]+)$': '<rootDir>/libs/$1/src/index.ts' },
  // Node 20 lets CommonJS require() an ES module, Jest (before Node 24.9) does not: see the resolver.
  resolver: '<rootDir>/test/support/jest/resolver.cjs',
  setupFilesAfterEnv: ['<rootDir>/test/support/jest/setup.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        swcrc: false,
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
          target: 'es2022',
          keepClassNames: true,
        },
        module: { type: 'es6' },
        sourceMaps: 'inline',
      },
    ],
  },
  maxWorkers: 2,
  testTimeout: 30_000,
};
