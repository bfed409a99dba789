/**
 * The Lambdas' code as the project builds it (scripts/build-lambdas.ts → dist/lambdas/<handler>/index.mjs):
 * infra/ deploys exactly the bundles that were built and measured, and never bundles on its own,
 * so synthesis needs neither Docker nor network.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const BUNDLE_ENTRY_FILE = 'index.mjs';
/** `index.mjs` exporting `handler`. */
export const BUNDLE_HANDLER = 'index.handler';
/**
 * What is uploaded from a bundle folder: the bundle and its source map, nothing else. tsc also emits
 * lambdas/<handler>/handler.js into the same dist/ folder; that unbundled file must not ship.
 */
export const BUNDLE_ASSET_EXCLUDE = ['*', `!${BUNDLE_ENTRY_FILE}`, `!${BUNDLE_ENTRY_FILE}.map`];

export class MissingLambdaBundleError extends Error {
  override readonly name = 'MissingLambdaBundleError';
}

/** The folder holding one handler's bundle; throws naming every missing bundle and how to build them. */
export function lambdaBundleDirs(bundleRoot: string, handlers: readonly string[]): Map<string, string> {
  const dirs = new Map(handlers.map((handler) => [handler, join(bundleRoot, handler)]));
  const missing = [...dirs.values()].map((dir) => join(dir, BUNDLE_ENTRY_FILE)).filter((file) => !existsSync(file));
  if (missing.length > 0) {
    throw new MissingLambdaBundleError(
      `Lambda bundle(s) not found: ${missing.join(', ')}. Build them first (npm run synth does).`,
    );
  }
  return dirs;
}
