/**
 * `npm run synth`: writes the CloudFormation template and assets to cdk.out/ — offline, no credentials,
 * no Docker, no CDK CLI (deploy with it: see docs/operations.md). Options: `--stage <name>` (default prod),
 * `--bundles <dir>` (default dist/lambdas), `--set-api-gateway-log-role`, and context values
 * `-c name=value` (repeatable: minApiTasks, maxApiTasks, minDatabaseCapacity, maxDatabaseCapacity, alarmEmail).
 * The CDK CLI passes its own `-c` values through CDK_CONTEXT_JSON, which App reads as well.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { App } from 'aws-cdk-lib';
import { GavelStack } from './gavel-stack.js';

const { values } = parseArgs({
  options: {
    stage: { type: 'string', default: 'prod' },
    bundles: { type: 'string', default: 'dist/lambdas' },
    out: { type: 'string', default: 'cdk.out' },
    'set-api-gateway-log-role': { type: 'boolean', default: false },
    context: { type: 'string', short: 'c', multiple: true, default: [] },
  },
});
if (!/^[A-Za-z0-9_-]{1,128}$/.test(values.stage))
  throw new Error(`--stage must be letters, digits, - or _ (got "${values.stage}")`);

const context: Record<string, string> = {};
for (const pair of values.context) {
  const match = /^([A-Za-z][\w:-]*)=(.*)$/.exec(pair);
  if (!match) throw new Error(`-c takes name=value (got "${pair}")`);
  context[match[1]!] = match[2]!;
}

/** The repository root (where the Dockerfile is), from infra/ or from dist/infra/. */
function repositoryRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'Dockerfile')) && existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`No Dockerfile above ${from}`);
  }
}

const app = new App({ outdir: resolve(values.out), context });
const stack = new GavelStack(app, `Gavel-${values.stage}`, {
  stageName: values.stage,
  lambdaBundleRoot: resolve(values.bundles),
  setApiGatewayLogRole: values['set-api-gateway-log-role'],
  dockerContext: repositoryRoot(import.meta.dirname),
  description: `Gavel real-time push, stage ${values.stage}`,
});
const assembly = app.synth();
console.log(`Synthesized ${stack.stackName} to ${assembly.directory} (${stack.templateFile})`);
