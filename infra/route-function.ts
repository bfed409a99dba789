/**
 * One route's Lambda: arm64, Node.js 24, the prebuilt bundle, its own log group and a role that may
 * write to that log group and read the one settings secret — nothing else (no AWSLambdaBasicExecutionRole,
 * whose logs statement covers every log group of the account).
 */
import { Duration } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  Code,
  Function as LambdaFunction,
  ParamsAndSecretsLayerVersion,
  ParamsAndSecretsLogLevel,
  ParamsAndSecretsVersions,
  Runtime,
} from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { API_SETTINGS_SECRET_ENV } from '../lambdas/shared/api-settings.js';
import { BUNDLE_ASSET_EXCLUDE, BUNDLE_HANDLER } from './lambda-bundles.js';

export const LAMBDA_RUNTIME = Runtime.NODEJS_24_X;
export const LAMBDA_ARCHITECTURE = Architecture.ARM_64;
/** Below API Gateway's 29 s integration timeout, so a slow API ends as our error, not the gateway's. */
export const LAMBDA_TIMEOUT = Duration.seconds(15);

export interface RouteFunctionProps {
  /** Folder name under lambdas/ (and under the bundle root). */
  handler: string;
  bundleDir: string;
  settingsSecret: ISecret;
  /** How long the extension caches the secret: the delay before a rotated key is used. */
  secretCacheTtl: Duration;
}

export class RouteFunction extends Construct {
  readonly function: LambdaFunction;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: RouteFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH });

    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Gavel ${props.handler} Lambda: its log group and the API settings secret only`,
    });
    this.logGroup.grantWrite(role);
    // GetSecretValue only: the extension needs nothing else (grantRead would add DescribeSecret).
    role.addToPolicy(
      new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [props.settingsSecret.secretArn] }),
    );

    this.function = new LambdaFunction(this, 'Function', {
      description: `Gavel WebSocket route handler lambdas/${props.handler}`,
      runtime: LAMBDA_RUNTIME,
      architecture: LAMBDA_ARCHITECTURE,
      handler: BUNDLE_HANDLER,
      code: Code.fromAsset(props.bundleDir, { exclude: BUNDLE_ASSET_EXCLUDE }),
      role,
      logGroup: this.logGroup,
      memorySize: 256,
      timeout: LAMBDA_TIMEOUT,
      environment: {
        [API_SETTINGS_SECRET_ENV]: props.settingsSecret.secretArn,
        NODE_OPTIONS: '--enable-source-maps',
      },
      paramsAndSecrets: ParamsAndSecretsLayerVersion.fromVersion(ParamsAndSecretsVersions.V1_0_103, {
        cacheSize: 10,
        secretsManagerTtl: props.secretCacheTtl,
        logLevel: ParamsAndSecretsLogLevel.WARN,
      }),
    });
  }
}
