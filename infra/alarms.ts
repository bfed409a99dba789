/**
 * CloudWatch alarms on what AWS measures itself (the API's own Prometheus metrics need a scraper; see
 * the README's "Metrics"): the load balancer's 5xx and latency, unhealthy tasks, CPU at the scaling
 * ceiling, and the WebSocket stage's integration and execution errors. All notify one SNS topic.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IMetric, Metric, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { FargateService } from 'aws-cdk-lib/aws-ecs';
import {
  type ApplicationLoadBalancer,
  type ApplicationTargetGroup,
  HttpCodeTarget,
} from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { IWebSocketApi, IWebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface GavelAlarmsProps {
  loadBalancer: ApplicationLoadBalancer;
  targetGroup: ApplicationTargetGroup;
  service: FargateService;
  webSocketApi: IWebSocketApi;
  stage: IWebSocketStage;
  /** Subscribed to the topic when given (it must confirm the subscription e-mail). */
  email?: string;
}

export class GavelAlarms extends Construct {
  readonly topic: Topic;

  constructor(scope: Construct, id: string, props: GavelAlarmsProps) {
    super(scope, id);
    this.topic = new Topic(this, 'Topic', { displayName: `Gavel alarms (${Stack.of(this).stackName})` });
    if (props.email) this.topic.addSubscription(new EmailSubscription(props.email));
    const action = new SnsAction(this.topic);

    const alarm = (
      name: string,
      metric: IMetric,
      threshold: number,
      description: string,
      evaluationPeriods = 1,
    ): void => {
      new Alarm(this, name, {
        metric,
        threshold,
        evaluationPeriods,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      }).addAlarmAction(action);
    };
    const fiveMinutes = Duration.minutes(5);

    alarm(
      'Target5xx',
      props.loadBalancer.metrics.httpCodeTarget(HttpCodeTarget.TARGET_5XX_COUNT, {
        period: fiveMinutes,
        statistic: Stats.SUM,
      }),
      10,
      'More than 10 answers 5xx from the API tasks in 5 minutes (503: the database is not answering)',
    );
    alarm(
      'TargetLatencyP99',
      props.loadBalancer.metrics.targetResponseTime({ period: fiveMinutes, statistic: Stats.p(99) }),
      1,
      'p99 of the API answer time above 1 s for 15 minutes',
      3,
    );
    alarm(
      'UnhealthyTasks',
      props.targetGroup.metrics.unhealthyHostCount({ period: Duration.minutes(1), statistic: Stats.MAXIMUM }),
      0,
      'An API task fails GET /health for 3 minutes',
      3,
    );
    alarm(
      'CpuAtCeiling',
      props.service.metricCpuUtilization({ period: fiveMinutes, statistic: Stats.AVERAGE }),
      85,
      'API CPU above 85% for 15 minutes: autoscaling is at its maximum or too slow (raise maxApiTasks)',
      3,
    );
    const stageMetric = (metricName: string) =>
      new Metric({
        namespace: 'AWS/ApiGateway',
        metricName,
        dimensionsMap: { ApiId: props.webSocketApi.apiId, Stage: props.stage.stageName },
        period: fiveMinutes,
        statistic: Stats.SUM,
      });
    alarm(
      'WebSocketIntegrationErrors',
      stageMetric('IntegrationError'),
      5,
      'Route Lambdas failing (or the API behind them answering 5xx) more than 5 times in 5 minutes',
    );
    alarm(
      'WebSocketExecutionErrors',
      stageMetric('ExecutionError'),
      5,
      'API Gateway failed to run a route more than 5 times in 5 minutes (throttled integrations, timeouts)',
    );
  }
}
