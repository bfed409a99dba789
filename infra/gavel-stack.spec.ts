import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { expect } from '../test/support/expect.js';
import { DEV_DEFAULTS, PRODUCTION_SECRETS, PUSH_DRAIN_TIMEOUT_MS } from '@gavel/config';
import { routeSelectionExpression, routes } from '../lambdas/routes.js';
import { API_PORT, CPU_TARGET_PERCENT, DATABASE_URL_ENTRYPOINT, DEREGISTRATION_DELAY } from './api-service.js';
import { PASSWORD_EXCLUDED_CHARACTERS } from './database.js';
import { GavelStack, type GavelStackProps, InvalidContextError } from './gavel-stack.js';
import { LAMBDA_TIMEOUT } from './route-function.js';
import { MissingLambdaBundleError } from './lambda-bundles.js';

type Resource = { Type: string; Properties: Record<string, any>; DependsOn?: string[] };
type TemplateJson = { Resources: Record<string, Resource>; Outputs: Record<string, { Value: unknown }> };

const STAGE = 'live';
const REPO_ROOT = join(import.meta.dirname, '..');
const handlers = [...new Set(routes.map((route) => route.handler))];

let bundleRoot: string;
let json: TemplateJson;
let template: Template;

function synth(props: Partial<GavelStackProps> = {}, context: Record<string, unknown> = {}): Template {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'gavel-cdk-out-')), context });
  const stack = new GavelStack(app, 'Gavel-test', {
    stageName: STAGE,
    lambdaBundleRoot: bundleRoot,
    dockerContext: REPO_ROOT,
    ...props,
  });
  return Template.fromStack(stack);
}

/** Renders Ref / Fn::GetAtt / Fn::Join as one readable string: `arn:${AWS::Partition}:…/${Api}/live/POST/…`. */
function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const node = value as Record<string, any>;
  if ('Ref' in node) return `\${${node.Ref}}`;
  if ('Fn::GetAtt' in node) return `\${${node['Fn::GetAtt'].join('.')}}`;
  if ('Fn::Join' in node) return (node['Fn::Join'][1] as unknown[]).map(render).join(node['Fn::Join'][0]);
  return JSON.stringify(value);
}

function resourcesOf(type: string): [string, Resource][] {
  return Object.entries(json.Resources).filter(([, resource]) => resource.Type === type);
}

/** The Lambdas' settings secret {apiBaseUrl, gatewayApiKey}: the one their environment names. */
function settingsSecretId(): string {
  const ids = new Set(
    resourcesOf('AWS::Lambda::Function').map(
      ([, fn]) => fn.Properties.Environment.Variables.API_SETTINGS_SECRET_ID.Ref,
    ),
  );
  expect(ids.size).toBe(1);
  return [...ids][0] as string;
}

const onlyResourceOf = (type: string): [string, Resource] => {
  const found = resourcesOf(type);
  expect(found, type).toHaveLength(1);
  return found[0]!;
};

/**
 * Bundles the real handlers the way scripts/build-lambdas.ts does (esbuild, ESM, node22, AWS SDK
 * external), into a temporary root: that script writes to the shared dist/ and runs only compiled.
 */
async function bundleHandlers(): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'gavel-lambda-bundles-'));
  const repoRoot = join(import.meta.dirname, '..');
  await Promise.all(
    handlers.map((handler) =>
      build({
        entryPoints: [join(repoRoot, 'lambdas', handler, 'handler.ts')],
        outfile: join(root, handler, 'index.mjs'),
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node22',
        external: ['@aws-sdk/*'],
        logLevel: 'silent',
      }),
    ),
  );
  // What tsc leaves beside the bundle in dist/lambdas/<handler>/: must not be uploaded.
  for (const handler of handlers) writeFileSync(join(root, handler, 'handler.js'), 'export {};');
  return root;
}

// Bundling the real handlers is the slow part: once for the whole file.
beforeAll(async () => {
  bundleRoot = await bundleHandlers();
  template = synth();
  json = template.toJSON() as TemplateJson;
}, 120_000);

describe(GavelStack.name, () => {
  it('builds the WebSocket API from the route table: one route per entry, selected by $request.body.action', () => {
    const [apiId, api] = onlyResourceOf('AWS::ApiGatewayV2::Api');
    expect(api.Properties).toMatchObject({
      ProtocolType: 'WEBSOCKET',
      RouteSelectionExpression: routeSelectionExpression,
    });
    expect(routeSelectionExpression).toBe('$request.body.action');

    const deployed = resourcesOf('AWS::ApiGatewayV2::Route').map(([, route]) => route.Properties);
    expect(deployed.map((route) => route.RouteKey).sort()).toEqual(routes.map((route) => route.routeKey).sort());
    for (const route of deployed) expect(route.ApiId).toEqual({ Ref: apiId });
  });

  it("integrates each route with its own handler's Lambda, and answers the client only on two-way routes", () => {
    const functionOf = (handler: string) =>
      resourcesOf('AWS::Lambda::Function').find(
        ([, fn]) => fn.Properties.Description === `Gavel WebSocket route handler lambdas/${handler}`,
      )![0];
    const routeResponses = resourcesOf('AWS::ApiGatewayV2::RouteResponse').map(([, response]) => response.Properties);

    for (const entry of routes) {
      const [routeId, route] = resourcesOf('AWS::ApiGatewayV2::Route').find(
        ([, r]) => r.Properties.RouteKey === entry.routeKey,
      )!;
      const integrationId = render(route.Properties.Target).replace(/^integrations\/\$\{(.+)\}$/, '$1');
      const integration = json.Resources[integrationId]!;
      expect(integration.Type).toBe('AWS::ApiGatewayV2::Integration');
      expect(integration.Properties.IntegrationType).toBe('AWS_PROXY');
      expect(render(integration.Properties.IntegrationUri)).toContain(`\${${functionOf(entry.handler)}.Arn}`);

      const responses = routeResponses.filter((response) => response.RouteId?.Ref === routeId);
      if (entry.twoWay) {
        expect(route.Properties.RouteResponseSelectionExpression, entry.routeKey).toBe('$default');
        expect(responses, entry.routeKey).toEqual([expect.objectContaining({ RouteResponseKey: '$default' })]);
      } else {
        expect(route.Properties.RouteResponseSelectionExpression, entry.routeKey).toBeUndefined();
        expect(responses, entry.routeKey).toEqual([]);
      }
    }
  });

  it('runs every handler on Node.js 22 or newer, arm64, from its bundle and nothing else', () => {
    const functions = resourcesOf('AWS::Lambda::Function');
    expect(functions).toHaveLength(handlers.length);
    const assetOut = mkdtempSync(join(tmpdir(), 'gavel-cdk-out-'));
    const app = new App({ outdir: assetOut });
    new GavelStack(app, 'Gavel-assets', { stageName: STAGE, lambdaBundleRoot: bundleRoot, dockerContext: REPO_ROOT });
    app.synth();
    // One asset per handler, plus the API's Docker build context (its own test below).
    const assets = readdirSync(assetOut)
      .filter((name) => name.startsWith('asset.'))
      .filter((name) => !readdirSync(join(assetOut, name)).includes('Dockerfile'));
    expect(assets).toHaveLength(handlers.length);
    for (const asset of assets) expect(readdirSync(join(assetOut, asset))).toEqual(['index.mjs']);
    for (const [, fn] of functions) {
      const major = Number(/^nodejs(\d+)\.x$/.exec(fn.Properties.Runtime)?.[1]);
      expect(major, fn.Properties.Runtime).toBeGreaterThanOrEqual(22);
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.Handler).toBe('index.handler');
    }
  });

  it('gives each Lambda a role that may only write its own logs and read the one settings secret', () => {
    const secretId = settingsSecretId();
    const policies = resourcesOf('AWS::IAM::Policy');
    for (const [, fn] of resourcesOf('AWS::Lambda::Function')) {
      const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
      const role = json.Resources[roleId]!;
      expect(role.Properties.ManagedPolicyArns ?? []).toEqual([]);
      expect(role.Properties.Policies ?? []).toEqual([]);
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        expect.objectContaining({ Action: 'sts:AssumeRole', Principal: { Service: 'lambda.amazonaws.com' } }),
      ]);

      const statements = policies
        .filter(([, policy]) => policy.Properties.Roles.some((r: { Ref: string }) => r.Ref === roleId))
        .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as Array<Record<string, any>>);
      const logGroupId = fn.Properties.LoggingConfig.LogGroup.Ref as string;
      expect(statements.map((s) => ({ ...s, Action: [s.Action].flat().sort() }))).toEqual([
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: { 'Fn::GetAtt': [logGroupId, 'Arn'] },
        },
        { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: { Ref: secretId } },
      ]);
    }
  });

  it('grants no wildcard action, and a "*" resource only to the actions IAM cannot scope', () => {
    // ECR's login token and ECS Exec's Session Manager channels have no resource ARN; DescribeLogGroups lists.
    const unscopable = new Set([
      'ecr:GetAuthorizationToken',
      'ssmmessages:CreateControlChannel',
      'ssmmessages:CreateDataChannel',
      'ssmmessages:OpenControlChannel',
      'ssmmessages:OpenDataChannel',
      'logs:DescribeLogGroups',
    ]);
    const statements = [...resourcesOf('AWS::IAM::Policy'), ...resourcesOf('AWS::IAM::ManagedPolicy')].flatMap(
      ([, policy]) => policy.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>,
    );
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      const actions = [statement.Action].flat() as string[];
      for (const action of actions) expect(action).not.toContain('*');
      if ([statement.Resource].flat().some((resource) => render(resource) === '*'))
        for (const action of actions) expect(unscopable.has(action), action).toBe(true);
    }
  });

  it('holds no secret in plaintext: every key is generated by Secrets Manager and reached through its ARN', () => {
    const text = JSON.stringify(json);
    for (const name of PRODUCTION_SECRETS) expect(text, `the dev value of ${name}`).not.toContain(DEV_DEFAULTS[name]);
    expect(text).not.toContain(DEV_DEFAULTS.AWS_SECRET_ACCESS_KEY);
    expect(text).not.toContain('AWS_ACCESS_KEY_ID');
    for (const [, secret] of resourcesOf('AWS::SecretsManager::Secret')) {
      expect(secret.Properties.SecretString).toBeUndefined();
      expect(secret.Properties.GenerateSecretString).toBeDefined();
    }

    const secretId = settingsSecretId();
    expect(json.Resources[secretId]!.Properties.GenerateSecretString).toMatchObject({
      GenerateStringKey: 'gatewayApiKey',
      PasswordLength: 48,
    });
    for (const [, fn] of resourcesOf('AWS::Lambda::Function')) {
      // The Lambdas get the secret's ARN only, not the API's URL or any key.
      expect(JSON.stringify(fn.Properties.Environment)).not.toMatch(/API_BASE_URL|GATEWAY_API_KEY|JWT_SECRET/);
      expect(fn.Properties.Environment.Variables.API_SETTINGS_SECRET_ID).toEqual({ Ref: secretId });
      // The Parameters and Secrets extension serves the secret to the handler on localhost.
      expect(render(fn.Properties.Layers[0])).toContain('ParamsandsecretslayerMap');
    }
  });

  it("outputs a policy granting ManageConnections on exactly this stage's @connections (POST, GET, DELETE)", () => {
    const [apiId] = onlyResourceOf('AWS::ApiGatewayV2::Api');
    const [policyId, policy] = onlyResourceOf('AWS::IAM::ManagedPolicy');
    expect(json.Outputs.ManageConnectionsPolicyArn!.Value).toEqual({ Ref: policyId });

    const [statement, ...others] = policy.Properties.PolicyDocument.Statement as Array<Record<string, any>>;
    expect(others).toEqual([]);
    expect(statement).toMatchObject({ Effect: 'Allow', Action: 'execute-api:ManageConnections' });
    expect((statement!.Resource as unknown[]).map(render).sort()).toEqual(
      ['DELETE', 'GET', 'POST'].map(
        (method) =>
          `arn:\${AWS::Partition}:execute-api:\${AWS::Region}:\${AWS::AccountId}:\${${apiId}}/${STAGE}/${method}/@connections/*`,
      ),
    );
  });

  it("outputs the wss URL and the management endpoint (the API's APIGW_ENDPOINT)", () => {
    const [apiId] = onlyResourceOf('AWS::ApiGatewayV2::Api');
    expect(render(json.Outputs.WebSocketUrl!.Value)).toBe(
      `wss://\${${apiId}}.execute-api.\${AWS::Region}.\${AWS::URLSuffix}/${STAGE}`,
    );
    expect(render(json.Outputs.ManagementEndpoint!.Value)).toBe(
      `https://\${${apiId}}.execute-api.\${AWS::Region}.\${AWS::URLSuffix}/${STAGE}`,
    );
  });

  it('throttles the stage and writes JSON access logs to its own log group', () => {
    const [, stage] = onlyResourceOf('AWS::ApiGatewayV2::Stage');
    expect(stage.Properties).toMatchObject({ StageName: STAGE, AutoDeploy: true });
    expect(stage.Properties.DefaultRouteSettings.ThrottlingRateLimit).toBeGreaterThan(0);
    expect(stage.Properties.DefaultRouteSettings.ThrottlingBurstLimit).toBeGreaterThan(0);

    const destination = render(stage.Properties.AccessLogSettings.DestinationArn);
    const logGroupId = /^\$\{(.+)\.Arn\}$/.exec(destination)?.[1];
    expect(json.Resources[logGroupId!]?.Type).toBe('AWS::Logs::LogGroup');
    const format = JSON.parse(stage.Properties.AccessLogSettings.Format) as Record<string, string>;
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      connectionId: '$context.connectionId',
      routeKey: '$context.routeKey',
    });
  });

  it('takes throttling from its props', () => {
    synth({ throttle: { rateLimit: 42, burstLimit: 84 } }).hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 42, ThrottlingBurstLimit: 84 },
    });
  });

  it("sets the region's API Gateway logging role only when asked, before the stage needs it", () => {
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
    const withRole = synth({ setApiGatewayLogRole: true }).toJSON() as TemplateJson;
    const [accountId] = Object.entries(withRole.Resources).find(([, r]) => r.Type === 'AWS::ApiGateway::Account')!;
    const [, stage] = Object.entries(withRole.Resources).find(([, r]) => r.Type === 'AWS::ApiGatewayV2::Stage')!;
    expect(stage.DependsOn).toContain(accountId);
  });

  it('refuses to synthesize without the bundles, naming the missing ones', () => {
    const empty = mkdtempSync(join(tmpdir(), 'gavel-no-bundles-'));
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'gavel-cdk-out-')) });
    const props = { stageName: STAGE, lambdaBundleRoot: empty, dockerContext: REPO_ROOT };
    expect(() => new GavelStack(app, 'Gavel-empty', props)).toThrow(MissingLambdaBundleError);
    expect(() => new GavelStack(app, 'Gavel-empty2', props)).toThrow(/auth\/index\.mjs/);
  });
});

describe('GavelStack: the API on Fargate behind the ALB, Aurora, autoscaling, alarms', () => {
  const container = () => {
    const [, task] = onlyResourceOf('AWS::ECS::TaskDefinition');
    const definitions = task.Properties.ContainerDefinitions as Array<Record<string, any>>;
    expect(definitions).toHaveLength(1);
    return { task, api: definitions[0]! };
  };
  const environment = (): Record<string, string> =>
    Object.fromEntries(
      (container().api.Environment as Array<{ Name: string; Value: unknown }>).map((e) => [e.Name, render(e.Value)]),
    );

  it('serves HTTPS on the ALB with the CertificateArn parameter, redirects HTTP, and checks GET /health', () => {
    const listeners = resourcesOf('AWS::ElasticLoadBalancingV2::Listener').map(([, l]) => l.Properties);
    const https = listeners.find((l) => l.Protocol === 'HTTPS')!;
    expect(https.Port).toBe(443);
    expect(https.Certificates).toEqual([{ CertificateArn: { Ref: 'CertificateArn' } }]);
    const http = listeners.find((l) => l.Protocol === 'HTTP')!;
    expect(http.DefaultActions[0]).toMatchObject({ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS' } });
    const [, lb] = onlyResourceOf('AWS::ElasticLoadBalancingV2::LoadBalancer');
    expect(lb.Properties.Scheme).toBe('internet-facing');

    const [, targetGroup] = onlyResourceOf('AWS::ElasticLoadBalancingV2::TargetGroup');
    expect(targetGroup.Properties).toMatchObject({
      HealthCheckPath: '/health',
      Matcher: { HttpCode: '200' },
      TargetType: 'ip',
    });
    // ECS registers each task's IP with the container's port (the target group's own Port is only a default).
    const [, service] = onlyResourceOf('AWS::ECS::Service');
    expect(service.Properties.LoadBalancers).toEqual([
      expect.objectContaining({ ContainerName: 'api', ContainerPort: API_PORT }),
    ]);
  });

  it("matches the target group's deregistration delay and the container's stop timeout to the API's graceful shutdown", () => {
    const [, targetGroup] = onlyResourceOf('AWS::ElasticLoadBalancingV2::TargetGroup');
    const attributes = Object.fromEntries(
      (targetGroup.Properties.TargetGroupAttributes as Array<{ Key: string; Value: string }>).map((a) => [
        a.Key,
        a.Value,
      ]),
    );
    const delay = Number(attributes['deregistration_delay.timeout_seconds']);
    // Every request a Lambda can still be waiting on (it gives up after its timeout) ends while the task drains.
    expect(delay).toBe(DEREGISTRATION_DELAY.toSeconds());
    expect(delay).toBeGreaterThanOrEqual(LAMBDA_TIMEOUT.toSeconds());
    // SIGTERM → the API drains pushes for PUSH_DRAIN_TIMEOUT_MS, then closes: SIGKILL only well after that.
    expect(container().api.StopTimeout).toBeGreaterThan(PUSH_DRAIN_TIMEOUT_MS / 1000 + 5);
    expect(container().api.StopTimeout).toBeLessThanOrEqual(120);
  });

  it('runs the image built from the Dockerfile, in private subnets, rolling back a release that never turns healthy', () => {
    const { api } = container();
    // The image asset: the bootstrap's ECR repository, tagged with the build context's hash.
    expect(JSON.stringify(api.Image)).toMatch(/\.dkr\.ecr\..*container-assets.*:[0-9a-f]{64}"/);
    expect(api.EntryPoint).toEqual(DATABASE_URL_ENTRYPOINT);
    // Migrations run in the API's start-up, one process at a time under MySQL's GET_LOCK (database/migrate.ts).
    expect(api.Command).toEqual(['node', 'dist/apps/api/src/main.js']);
    expect(api.PortMappings).toEqual([expect.objectContaining({ ContainerPort: API_PORT })]);
    expect(api.LinuxParameters).toMatchObject({ InitProcessEnabled: true });

    const [, service] = onlyResourceOf('AWS::ECS::Service');
    expect(service.Properties).toMatchObject({
      LaunchType: 'FARGATE',
      EnableExecuteCommand: true,
      DeploymentConfiguration: {
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        MinimumHealthyPercent: 100,
      },
      NetworkConfiguration: { AwsvpcConfiguration: { AssignPublicIp: 'DISABLED' } },
    });
  });

  it('stages the Docker build context at synthesis without a Docker engine: the repository minus .dockerignore', () => {
    const out = mkdtempSync(join(tmpdir(), 'gavel-cdk-out-'));
    const savedPath = process.env.PATH;
    process.env.PATH = mkdtempSync(join(tmpdir(), 'gavel-empty-path-'));
    try {
      const app = new App({ outdir: out });
      new GavelStack(app, 'Gavel-docker', { stageName: STAGE, lambdaBundleRoot: bundleRoot, dockerContext: REPO_ROOT });
      app.synth();
    } finally {
      process.env.PATH = savedPath;
    }
    const manifest = JSON.parse(readFileSync(join(out, 'Gavel-docker.assets.json'), 'utf8')) as {
      dockerImages: Record<string, { source: { directory: string; platform?: string } }>;
    };
    const images = Object.values(manifest.dockerImages);
    expect(images).toHaveLength(1);
    expect(images[0]!.source.platform).toBe('linux/amd64');
    const staged = readdirSync(join(out, images[0]!.source.directory));
    expect(staged).toEqual(expect.arrayContaining(['Dockerfile', 'package.json', 'package-lock.json', 'apps', 'libs']));
    for (const ignored of ['node_modules', 'dist', '.git', 'cdk.out']) expect(staged).not.toContain(ignored);
  });

  it('wires the URLs and TRUST_PROXY in plain text, and every secret as an ECS secret from Secrets Manager', () => {
    const [apiId] = onlyResourceOf('AWS::ApiGatewayV2::Api');
    expect(environment()).toEqual({
      NODE_ENV: 'production',
      HOST: '0.0.0.0',
      PORT: String(API_PORT),
      LOG_FORMAT: 'json',
      API_BASE_URL: 'https://${ApiDomainName}',
      APIGW_ENDPOINT: `https://\${${apiId}}.execute-api.\${AWS::Region}.\${AWS::URLSuffix}/${STAGE}`,
      PUBLIC_WEBSOCKET_URL: `wss://\${${apiId}}.execute-api.\${AWS::Region}.\${AWS::URLSuffix}/${STAGE}`,
      TRUST_PROXY: '1',
    });

    const secrets = Object.fromEntries(
      (container().api.Secrets as Array<{ Name: string; ValueFrom: unknown }>).map((s) => [
        s.Name,
        render(s.ValueFrom),
      ]),
    );
    const secretIds = new Set(resourcesOf('AWS::SecretsManager::Secret').map(([id]) => id));
    const [clusterSecretAttachment] = onlyResourceOf('AWS::SecretsManager::SecretTargetAttachment');
    const source = (name: string) => {
      const from = secrets[name]!;
      const id = /^\$\{([^}]+)\}/.exec(from)?.[1];
      return { id, key: from.split(':').at(-3) };
    };
    for (const name of ['JWT_SECRET', 'SERVICE_API_KEY', 'METRICS_TOKEN']) {
      expect(secretIds.has(source(name).id!), name).toBe(true);
      expect(secrets[name]).toMatch(/^\$\{[^}]+\}$/);
    }
    expect(new Set(['JWT_SECRET', 'SERVICE_API_KEY', 'METRICS_TOKEN'].map((n) => source(n).id)).size).toBe(3);
    expect(source('GATEWAY_API_KEY')).toEqual({ id: settingsSecretId(), key: 'gatewayApiKey' });
    for (const [name, key] of [
      ['DB_USERNAME', 'username'],
      ['DB_PASSWORD', 'password'],
      ['DB_HOST', 'host'],
      ['DB_PORT', 'port'],
      ['DB_NAME', 'dbname'],
    ] as const)
      expect(source(name), name).toEqual({ id: clusterSecretAttachment, key });
    for (const name of [...PRODUCTION_SECRETS, 'METRICS_TOKEN', 'DATABASE_URL', 'DB_PASSWORD'])
      expect(Object.keys(environment()), name).not.toContain(name);

    // The generated database password needs no escaping in the URL the entry point builds.
    const [, cluster] = onlyResourceOf('AWS::RDS::DBCluster');
    const dbSecretId = cluster.Properties.MasterUserPassword['Fn::Join'][1][1]['Ref'] as string;
    expect(json.Resources[dbSecretId]!.Properties.GenerateSecretString.ExcludeCharacters).toBe(
      PASSWORD_EXCLUDED_CHARACTERS,
    );
    expect(PASSWORD_EXCLUDED_CHARACTERS).toContain('@');
    expect(PASSWORD_EXCLUDED_CHARACTERS).toContain('$');
  });

  it('sends the Lambdas to the same URL the API is given: the ALB behind ApiDomainName', () => {
    const settings = json.Resources[settingsSecretId()]!.Properties.GenerateSecretString;
    expect(render(settings.SecretStringTemplate)).toContain('"apiBaseUrl":"https://${ApiDomainName}"');
    expect(environment().API_BASE_URL).toBe('https://${ApiDomainName}');
  });

  it('lets the task role (not an IAM user) manage connections; the execution role reads exactly the five secrets', () => {
    const [policyId] = onlyResourceOf('AWS::IAM::ManagedPolicy');
    const { task } = container();
    const taskRoleId = task.Properties.TaskRoleArn['Fn::GetAtt'][0] as string;
    expect(json.Resources[taskRoleId]!.Properties.ManagedPolicyArns).toEqual([{ Ref: policyId }]);
    template.resourceCountIs('AWS::IAM::User', 0);

    const executionRoleId = task.Properties.ExecutionRoleArn['Fn::GetAtt'][0] as string;
    const statements = resourcesOf('AWS::IAM::Policy')
      .filter(([, p]) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === executionRoleId))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Array<Record<string, any>>);
    const secretReads = statements
      .filter((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue'))
      .flatMap((s) => [s.Resource].flat().map((r) => render(r)));
    expect(new Set(secretReads).size).toBe(5);
  });

  it('runs Aurora MySQL Serverless v2 with a generated secret, reachable only from the API tasks', () => {
    const [, cluster] = onlyResourceOf('AWS::RDS::DBCluster');
    expect(cluster.Properties).toMatchObject({
      Engine: 'aurora-mysql',
      DatabaseName: 'gavel',
      StorageEncrypted: true,
      DeletionProtection: true,
      ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 8 },
    });
    expect(cluster.Properties.EngineVersion).toMatch(/^8\.0\.mysql_aurora\.3\./);
    const [, instance] = onlyResourceOf('AWS::RDS::DBInstance');
    expect(instance.Properties.DBInstanceClass).toBe('db.serverless');
    expect(instance.Properties.PubliclyAccessible).toBe(false);

    const [, service] = onlyResourceOf('AWS::ECS::Service');
    const serviceGroup = service.Properties.NetworkConfiguration.AwsvpcConfiguration.SecurityGroups[0]['Fn::GetAtt'][0];
    const dbGroups = (cluster.Properties.VpcSecurityGroupIds as Array<{ 'Fn::GetAtt': string[] }>).map(
      (g) => g['Fn::GetAtt'][0],
    );
    const ingress = resourcesOf('AWS::EC2::SecurityGroupIngress')
      .map(([, r]) => r.Properties)
      .filter((r) => dbGroups.includes(r.GroupId['Fn::GetAtt'][0]));
    expect(ingress).toEqual([
      expect.objectContaining({
        IpProtocol: 'tcp',
        SourceSecurityGroupId: { 'Fn::GetAtt': [serviceGroup, 'GroupId'] },
      }),
    ]);
    for (const [, group] of resourcesOf('AWS::EC2::SecurityGroup'))
      if (dbGroups.includes(group.Properties.GroupDescription) || group.Properties.SecurityGroupIngress)
        for (const rule of group.Properties.SecurityGroupIngress ?? [])
          if (rule.CidrIp === '0.0.0.0/0') expect([80, 443]).toContain(rule.FromPort);
  });

  it('scales the API on CPU between the context values (defaults 2 to 6)', () => {
    const check = (t: Template, min: number, max: number) => {
      t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
        MinCapacity: min,
        MaxCapacity: max,
        ScalableDimension: 'ecs:service:DesiredCount',
      });
      t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: {
          PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
          TargetValue: CPU_TARGET_PERCENT,
        },
      });
    };
    check(template, 2, 6);
    check(synth({}, { minApiTasks: '3', maxApiTasks: '12' }), 3, 12);
  });

  it.each([
    [{ minApiTasks: '0' }, /minApiTasks/],
    [{ maxApiTasks: 'lots' }, /maxApiTasks/],
    [{ minApiTasks: '5', maxApiTasks: '2' }, /minApiTasks \(5\) is above maxApiTasks \(2\)/],
    [{ minApiTasks: '1.5' }, /whole numbers/],
    [{ alarmEmail: 'nobody' }, /alarmEmail/],
  ])('refuses the context %j, naming the value', (context, message) => {
    expect(() => synth({}, context)).toThrow(InvalidContextError);
    expect(() => synth({}, context)).toThrow(message);
  });

  it('raises CloudWatch alarms on ALB 5xx, latency, unhealthy tasks, CPU and the stage errors, to one SNS topic', () => {
    const [topicId] = onlyResourceOf('AWS::SNS::Topic');
    const alarms = resourcesOf('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    expect(alarms.map((a) => a.MetricName).sort()).toEqual(
      [
        'CPUUtilization',
        'ExecutionError',
        'HTTPCode_Target_5XX_Count',
        'IntegrationError',
        'TargetResponseTime',
        'UnHealthyHostCount',
      ].sort(),
    );
    for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
    const [apiId] = onlyResourceOf('AWS::ApiGatewayV2::Api');
    const stageAlarm = alarms.find((a) => a.MetricName === 'IntegrationError')!;
    expect(stageAlarm.Dimensions).toEqual(
      expect.arrayContaining([
        { Name: 'ApiId', Value: { Ref: apiId } },
        { Name: 'Stage', Value: expect.anything() },
      ]),
    );
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    synth({}, { alarmEmail: 'ops@example.com' }).hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
  });
});

/**
 * The deployed configuration, run: each bundle is started in a fresh Node process with exactly the
 * environment the template gives its function (plus what Lambda itself sets), next to a stand-in for
 * the Parameters and Secrets extension and a stand-in API. Proves the names the stack sets are the
 * names the bundles read, and that the key travels from the secret to the API's x-api-key.
 */
describe('the synthesized Lambda configuration', () => {
  const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:GavelApiSettings-AbCdEf';
  const SESSION_TOKEN = 'lambda-session-token';
  const KEY = 'generated-gateway-key-0123456789';
  const servers: Server[] = [];
  const apiRequests: { method: string; url: string; apiKey: string | undefined; authorization: string | undefined }[] =
    [];
  let extensionReads = 0;
  let extensionPort: number;

  const listen = async (handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<number> => {
    const server = createServer(handler);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  };

  beforeAll(async () => {
    const apiPort = await listen((req, res) => {
      apiRequests.push({
        method: req.method!,
        url: req.url!,
        apiKey: req.headers['x-api-key'] as string,
        authorization: req.headers.authorization,
      });
      if (req.headers['x-api-key'] !== KEY)
        return void res
          .writeHead(403, { 'content-type': 'application/json' })
          .end('{"statusCode":403,"message":"Invalid API key"}');
      if (req.method === 'DELETE') return void res.writeHead(204).end();
      res.writeHead(201, { 'content-type': 'application/json' }).end('{"connectionId":"R1kmxc2VNjMCFIA=","userId":1}');
    });
    extensionPort = await listen((req, res) => {
      extensionReads += 1;
      const url = new URL(req.url!, 'http://localhost');
      if (
        req.headers['x-aws-parameters-secrets-token'] !== SESSION_TOKEN ||
        url.searchParams.get('secretId') !== SECRET_ARN
      ) {
        return void res.writeHead(400).end('bad request');
      }
      const SecretString = JSON.stringify({ apiBaseUrl: `http://127.0.0.1:${apiPort}`, gatewayApiKey: KEY });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ARN: SECRET_ARN, SecretString }));
    });
  }, 120_000);

  afterAll(async () => {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }, 120_000);

  /** Runs `handler(event)` of a route's bundle the way Lambda would, in a fresh process (a cold start). */
  async function invoke(routeKey: string, event: object): Promise<unknown> {
    const entry = routes.find((route) => route.routeKey === routeKey)!;
    const secretId = settingsSecretId();
    const fn = resourcesOf('AWS::Lambda::Function').find(([, f]) =>
      f.Properties.Description.endsWith(`lambdas/${entry.handler}`),
    )![1];
    const environment: Record<string, string> = {};
    for (const [name, value] of Object.entries(fn.Properties.Environment.Variables as Record<string, unknown>)) {
      environment[name] = JSON.stringify(value) === JSON.stringify({ Ref: secretId }) ? SECRET_ARN : (value as string);
    }
    expect(environment.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT).toBe('2773');
    const bundle = pathToFileURL(join(bundleRoot, entry.handler, 'index.mjs')).href;
    const script = `const { handler } = await import(${JSON.stringify(bundle)}); process.stdout.write(JSON.stringify(await handler(${JSON.stringify(event)}, {})));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      // Nothing from this machine: the template's variables, the ones Lambda sets, and the extension's port here.
      env: {
        ...environment,
        AWS_SESSION_TOKEN: SESSION_TOKEN,
        AWS_REGION: 'eu-west-1',
        PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(extensionPort),
      },
      timeout: 20_000,
    });
    return JSON.parse(stdout);
  }

  const context = (routeKey: string, eventType: string) => ({
    routeKey,
    eventType,
    connectionId: 'R1kmxc2VNjMCFIA=',
    messageId: null,
    stage: STAGE,
    apiId: 'abc123defg',
    requestId: 'TWegAcC4IAMFdgg=',
    domainName: 'abc123defg.execute-api.eu-west-1.amazonaws.com',
    connectedAt: 1705751700000,
    requestTimeEpoch: 1705751700574,
    identity: { sourceIp: '203.0.113.7', userAgent: 'test' },
  });

  it('auth: reads the key from the secret through the extension and registers the connection with it', async () => {
    const before = extensionReads;
    const result = await invoke('auth', {
      requestContext: context('auth', 'MESSAGE'),
      body: '{"action":"auth","token":"a.b.c"}',
      isBase64Encoded: false,
    });
    expect(result).toEqual({ statusCode: 200 });
    expect(extensionReads).toBe(before + 1);
    expect(apiRequests.at(-1)).toEqual({
      method: 'POST',
      url: '/socket-connections',
      apiKey: KEY,
      authorization: 'Bearer a.b.c',
    });
  });

  it('$disconnect: deletes the connection at the API with the key from the secret', async () => {
    const result = await invoke('$disconnect', {
      requestContext: { ...context('$disconnect', 'DISCONNECT'), disconnectStatusCode: 1001 },
      isBase64Encoded: false,
    });
    expect(result).toEqual({ statusCode: 200 });
    expect(apiRequests.at(-1)).toMatchObject({
      method: 'DELETE',
      url: `/socket-connections/${encodeURIComponent('R1kmxc2VNjMCFIA=')}`,
      apiKey: KEY,
    });
  });
});
