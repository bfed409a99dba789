/**
 * The API on ECS Fargate behind an internet-facing Application Load Balancer: the repository's
 * Dockerfile as the image, HTTPS only (HTTP redirects), health check GET /health, CPU-based
 * autoscaling, secrets injected by ECS from Secrets Manager (never in the template), and the task
 * role allowed to manage this stage's connections and nothing else.
 *
 * Stopping a task is graceful end to end: ECS first deregisters it and waits DEREGISTRATION_DELAY
 * (the ALB stops sending it requests and lets the ones in flight finish), then sends SIGTERM; the API
 * (Nest's shutdown hooks) lets pushes in flight finish for up to PUSH_DRAIN_TIMEOUT_MS and closes;
 * SIGKILL comes only after STOP_TIMEOUT.
 */
import { PUSH_DRAIN_TIMEOUT_MS } from '@gavel/config';
import { Duration } from 'aws-cdk-lib';
import type { ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import { type IVpc, SubnetType } from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import {
  AwsLogDriver,
  Cluster,
  ContainerImage,
  ContainerInsights,
  CpuArchitecture,
  ExecuteCommandLogging,
  FargateTaskDefinition,
  LinuxParameters,
  OperatingSystemFamily,
  Secret as EcsSecret,
} from 'aws-cdk-lib/aws-ecs';
import { ApplicationLoadBalancedFargateService } from 'aws-cdk-lib/aws-ecs-patterns';
import { ApplicationProtocol, SslPolicy } from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { IManagedPolicy } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { LAMBDA_TIMEOUT } from './route-function.js';

export const API_CONTAINER = 'api';
export const API_PORT = 3000;
/**
 * The longest request the ALB may have in flight to a task being stopped: the Lambdas' calls (they give up
 * after LAMBDA_TIMEOUT), with room; browsers' REST calls and bids answer in milliseconds.
 */
export const DEREGISTRATION_DELAY = Duration.seconds(LAMBDA_TIMEOUT.toSeconds() * 2);
/** SIGTERM → SIGKILL: the API's push drain, plus closing the database pool and the HTTP server. */
export const STOP_TIMEOUT = Duration.seconds(PUSH_DRAIN_TIMEOUT_MS / 1000 + 20);
/** Target CPU for scaling out and in. Pushes are CPU-bound in the API (signing, TLS); the database scales itself. */
export const CPU_TARGET_PERCENT = 60;

/**
 * The container's entry point: builds DATABASE_URL from the database secret's fields (injected one by one;
 * the password is letters and digits only, see database.ts), then runs the command. A one-off task with
 * another command (`node dist/scripts/user-create.js …`) gets the same DATABASE_URL.
 */
export const DATABASE_URL_ENTRYPOINT = [
  'sh',
  '-c',
  // $NAME, not ${NAME}: CloudFormation's validator takes ${…} in a plain string for an unresolved Fn::Sub.
  'export DATABASE_URL="mysql://$DB_USERNAME:$DB_PASSWORD@$DB_HOST:$DB_PORT/$DB_NAME" && exec "$@"',
  'gavel',
];
export const API_COMMAND = ['node', 'dist/apps/api/src/main.js'];

export interface ApiServiceProps {
  vpc: IVpc;
  /** The repository root (the Docker build context with the Dockerfile). */
  dockerContext: string;
  certificate: ICertificate;
  /** https://<the certificate's name>: where browsers and the Lambdas reach the API. */
  apiBaseUrl: string;
  /** The stage's management endpoint (https://…/{stage}) and its wss URL. */
  managementEndpoint: string;
  publicWebSocketUrl: string;
  manageConnectionsPolicy: IManagedPolicy;
  secrets: {
    jwtSecret: ISecret;
    serviceApiKey: ISecret;
    metricsToken: ISecret;
    /** The Lambdas' settings secret: its `gatewayApiKey` field is the API's GATEWAY_API_KEY. */
    settings: ISecret;
    database: ISecret;
  };
  minTasks: number;
  maxTasks: number;
}

export class ApiService extends Construct {
  readonly service: ApplicationLoadBalancedFargateService;
  readonly cluster: Cluster;

  constructor(scope: Construct, id: string, props: ApiServiceProps) {
    super(scope, id);
    this.cluster = new Cluster(this, 'Cluster', {
      vpc: props.vpc,
      containerInsightsV2: ContainerInsights.ENABLED,
      // ECS Exec sessions (the first admin, inspection) are recorded in their own log group, which also keeps
      // the task role's log permissions scoped to it instead of every log group.
      executeCommandConfiguration: {
        logging: ExecuteCommandLogging.OVERRIDE,
        logConfiguration: {
          cloudWatchLogGroup: new LogGroup(this, 'ExecLogs', { retention: RetentionDays.ONE_YEAR }),
        },
      },
    });

    const taskDefinition = new FargateTaskDefinition(this, 'Task', {
      cpu: 1024,
      memoryLimitMiB: 2048,
      runtimePlatform: { cpuArchitecture: CpuArchitecture.X86_64, operatingSystemFamily: OperatingSystemFamily.LINUX },
    });
    taskDefinition.taskRole.addManagedPolicy(props.manageConnectionsPolicy);

    const { secrets } = props;
    taskDefinition.addContainer(API_CONTAINER, {
      // Staged at synthesis (a copy of the context, no Docker); built and pushed by `cdk deploy`.
      image: ContainerImage.fromAsset(props.dockerContext, { platform: Platform.LINUX_AMD64 }),
      entryPoint: DATABASE_URL_ENTRYPOINT,
      command: API_COMMAND,
      portMappings: [{ containerPort: API_PORT }],
      stopTimeout: STOP_TIMEOUT,
      // ECS Exec for operators: an init process reaps the agent's children and forwards SIGTERM to the API.
      linuxParameters: new LinuxParameters(this, 'Linux', { initProcessEnabled: true }),
      logging: new AwsLogDriver({
        streamPrefix: 'api',
        logGroup: new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH }),
      }),
      environment: {
        NODE_ENV: 'production',
        HOST: '0.0.0.0',
        PORT: String(API_PORT),
        LOG_FORMAT: 'json',
        API_BASE_URL: props.apiBaseUrl,
        APIGW_ENDPOINT: props.managementEndpoint,
        PUBLIC_WEBSOCKET_URL: props.publicWebSocketUrl,
        // One proxy hop: the ALB appends the client's address to X-Forwarded-For.
        TRUST_PROXY: '1',
      },
      secrets: {
        JWT_SECRET: EcsSecret.fromSecretsManager(secrets.jwtSecret),
        SERVICE_API_KEY: EcsSecret.fromSecretsManager(secrets.serviceApiKey),
        METRICS_TOKEN: EcsSecret.fromSecretsManager(secrets.metricsToken),
        GATEWAY_API_KEY: EcsSecret.fromSecretsManager(secrets.settings, 'gatewayApiKey'),
        DB_USERNAME: EcsSecret.fromSecretsManager(secrets.database, 'username'),
        DB_PASSWORD: EcsSecret.fromSecretsManager(secrets.database, 'password'),
        DB_HOST: EcsSecret.fromSecretsManager(secrets.database, 'host'),
        DB_PORT: EcsSecret.fromSecretsManager(secrets.database, 'port'),
        DB_NAME: EcsSecret.fromSecretsManager(secrets.database, 'dbname'),
      },
    });

    this.service = new ApplicationLoadBalancedFargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition,
      desiredCount: props.minTasks,
      publicLoadBalancer: true,
      protocol: ApplicationProtocol.HTTPS,
      certificate: props.certificate,
      sslPolicy: SslPolicy.RECOMMENDED_TLS,
      redirectHTTP: true,
      taskSubnets: { subnetType: SubnetType.PRIVATE_WITH_EGRESS },
      // A release whose tasks never turn healthy is rolled back instead of replacing the running ones.
      circuitBreaker: { rollback: true },
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      // Start-up applies pending migrations before /health answers.
      healthCheckGracePeriod: Duration.seconds(120),
      enableExecuteCommand: true,
    });
    this.service.targetGroup.configureHealthCheck({
      path: '/health',
      healthyHttpCodes: '200',
      interval: Duration.seconds(10),
      timeout: Duration.seconds(5),
      healthyThresholdCount: 2,
      unhealthyThresholdCount: 3,
    });
    this.service.targetGroup.setAttribute(
      'deregistration_delay.timeout_seconds',
      String(DEREGISTRATION_DELAY.toSeconds()),
    );

    this.service.service
      .autoScaleTaskCount({ minCapacity: props.minTasks, maxCapacity: props.maxTasks })
      .scaleOnCpuUtilization('Cpu', {
        targetUtilizationPercent: CPU_TARGET_PERCENT,
        scaleOutCooldown: Duration.minutes(1),
        scaleInCooldown: Duration.minutes(5),
      });
  }
}
