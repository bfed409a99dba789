/**
 * The one permission the API needs on the gateway: PostToConnection / GetConnection / DeleteConnection
 * (`execute-api:ManageConnections`) on this API's stage and nothing else. A managed policy, so the
 * operator attaches it to whatever runs the API (ECS task role, EC2 instance role, …).
 */
import { Stack } from 'aws-cdk-lib';
import type { IWebSocketApi, IWebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { type Construct } from 'constructs';

/** The HTTP methods of the management API PushService uses (post, get, delete). */
export const MANAGEMENT_METHODS = ['POST', 'GET', 'DELETE'] as const;

export function connectionsResourceArns(scope: Construct, api: IWebSocketApi, stage: IWebSocketStage): string[] {
  return MANAGEMENT_METHODS.map((method) =>
    Stack.of(scope).formatArn({
      service: 'execute-api',
      resource: api.apiId,
      resourceName: `${stage.stageName}/${method}/@connections/*`,
    }),
  );
}

export class ManageConnectionsPolicy extends ManagedPolicy {
  constructor(scope: Construct, id: string, props: { api: IWebSocketApi; stage: IWebSocketStage }) {
    super(scope, id, {
      description: `Lets the Gavel API push to, inspect and close connections of WebSocket stage ${props.stage.stageName}`,
      statements: [
        new PolicyStatement({
          actions: ['execute-api:ManageConnections'],
          resources: connectionsResourceArns(scope, props.api, props.stage),
        }),
      ],
    });
  }
}
