/**
 * `npm run synth`: writes the CloudFormation template and assets to cdk.out/ — offline, no credentials,
 * no CDK CLI (deploy with it: see docs/operations.md). Options: `--stage <name>` (default prod),
 * `--bundles <dir>` (default dist/lambdas), `--set-api-gateway-log-role`.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { App } from 'aws-cdk-lib';
import { GavelStack } from './gavel-stack.js';

const { values } = parseArgs({
  options: {
    stage: { type: 'string', default: 'prod' },
    bundles: { type: 'string', default: 'dist/lambdas' },
    out: { type: 'string', default: 'cdk.out' },
    'set-api-gateway-log-role': { type: 'boolean', default: false },
  },
});
if (!/^[A-Za-z0-9_-]{1,128}$/.test(values.stage))
  throw new Error(`--stage must be letters, digits, - or _ (got "${values.stage}")`);

const app = new App({ outdir: resolve(values.out) });
const stack = new GavelStack(app, `Gavel-${values.stage}`, {
  stageName: values.stage,
  lambdaBundleRoot: resolve(values.bundles),
  setApiGatewayLogRole: values['set-api-gateway-log-role'],
  description: `Gavel real-time push, stage ${values.stage}`,
});
const assembly = app.synth();
console.log(`Synthesized ${stack.stackName} to ${assembly.directory} (${stack.templateFile})`);
