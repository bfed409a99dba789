/**
 * The WebSocket API built from THE route table (lambdas/routes.ts): one route and one Lambda
 * integration per entry, a route response where the handler answers (`twoWay`), and one stage
 * with throttling and JSON access logs.
 */
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  LogGroupLogDestination,
  WebSocketApi,
  WebSocketStage,
  type ThrottleSettings,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { routeSelectionExpression, type RouteDefinition } from '../lambdas/routes.js';

export interface GavelWebSocketApiProps {
  apiName: string;
  stageName: string;
  routes: readonly RouteDefinition[];
  /** The Lambda of each route table entry's `handler`. */
  functions: ReadonlyMap<string, IFunction>;
  throttle: ThrottleSettings;
}

/**
 * One JSON object per connect, message and disconnect. `$context.requestId` is required by API Gateway;
 * the rest is what an operator needs to follow one connection or find a failing integration.
 */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  requestTime: '$context.requestTime',
  eventType: '$context.eventType',
  routeKey: '$context.routeKey',
  connectionId: '$context.connectionId',
  messageId: '$context.messageId',
  status: '$context.status',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integration.error',
  error: '$context.error.message',
} as const;

export class GavelWebSocketApi extends Construct {
  readonly api: WebSocketApi;
  readonly stage: WebSocketStage;
  readonly accessLogGroup: LogGroup;

  constructor(scope: Construct, id: string, props: GavelWebSocketApiProps) {
    super(scope, id);
    this.api = new WebSocketApi(this, 'Api', {
      apiName: props.apiName,
      description: 'Gavel real-time push: clients authenticate with {"action":"auth","token":…}',
      routeSelectionExpression,
    });

    for (const route of props.routes) {
      const fn = props.functions.get(route.handler);
      if (!fn) throw new Error(`No Lambda for route ${route.routeKey} (handler "${route.handler}")`);
      this.api.addRoute(route.routeKey, {
        integration: new WebSocketLambdaIntegration(`${route.handler}-integration`, fn),
        returnResponse: route.twoWay,
      });
    }

    this.accessLogGroup = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.ONE_MONTH });
    this.stage = new WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName: props.stageName,
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogGroup),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });
  }
}
