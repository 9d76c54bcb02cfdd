import { type CfnElement, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { InventoryServiceStack } from './inventory-service-stack.ts';

/** One acknowledged cdk-nag finding: rule (with finding), where, why. */
export interface Acknowledgement {
  id: string;
  reason: string;
}

/**
 * Every cdk-nag finding we accept, each named by rule and finding, on the construct it
 * concerns, with the reason. Findings with a fix were fixed instead (encryption, TLS-only
 * queues, PITR, tracing, JSON logs with retention, throttling, access logs, DLQs, a
 * customer managed key for the alarm topic). Returns the list for the report and tests.
 */
export function acknowledgeNagFindings(
  stack: InventoryServiceStack,
): { path: string; id: string; reason: string }[] {
  const recorded: { path: string; id: string; reason: string }[] = [];
  const ack = (scope: IConstruct, ...rules: Acknowledgement[]) => {
    Validations.of(scope).acknowledge(...rules);
    for (const rule of rules) recorded.push({ path: scope.node.path, ...rule });
  };
  const tableId = Stack.of(stack).getLogicalId(stack.stateful.table.node.defaultChild as CfnElement);
  const fns = stack.stateless.functions;

  for (const [name, fn] of Object.entries(fns)) {
    ack(fn, {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'AWS-managed minimum for Lambda: it only lets the function write its own logs.',
    });
    ack(fn, {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray PutTraceSegments/PutTelemetryRecords (active tracing) do not support resource-level permissions.',
    });
    if (name !== 'health') {
      ack(fn, {
        id: `AwsSolutions-IAM5[Resource::<${tableId}.Arn>/index/*]`,
        reason:
          'The two indexes of this one table (items list, due holds/outbox), which the function queries.',
      });
    }
    const invokedBy =
      name === 'expire-reservations' || name === 'reconcile'
        ? 'a schedule rule whose target has its own dead-letter queue and retry policy'
        : name.startsWith('on-')
          ? 'an SQS event source mapping; failed messages go to the queue redrive DLQ'
          : 'API Gateway synchronously; a function DLQ applies only to asynchronous invocations';
    ack(fn, { id: 'Serverless-LambdaDLQ', reason: `Invoked by ${invokedBy}.` });
    for (const mapping of fn.node.findAll().filter(isEventSourceMapping)) {
      ack(mapping, {
        id: 'Serverless-LambdaEventSourceMappingDestination',
        reason:
          'SQS event source mappings take no on-failure destination: failed messages go to the queue’s redrive DLQ after 5 receives.',
      });
    }
  }
  const dlqs = [
    ...stack.stateful.consumerQueues.flatMap(({ dlq, targetDlq }) => [dlq, targetDlq]),
    ...stack.stateless.scheduleDlqs.map(({ queue }) => queue),
    stack.stateful.publisherDlq,
    stack.stateful.waitlistServerDlq,
  ];
  for (const queue of dlqs) {
    ack(queue, { id: 'AwsSolutions-SQS3', reason: 'This queue is itself a dead-letter queue.' });
    ack(queue, {
      id: 'Serverless-SQSRedrivePolicy',
      reason: 'A dead-letter queue has no dead-letter queue of its own.',
    });
  }
  for (const child of stack.stateless.api.node.findAll()) {
    if (isPublicRoute(child)) {
      ack(child, {
        id: 'AwsSolutions-APIG4',
        reason: 'Public route by design (health, OpenAPI, inventory browse).',
      });
    }
  }
  const userPool = stack.stateless.auth.userPool;
  if (userPool) {
    ack(userPool, {
      id: 'AwsSolutions-COG2',
      reason: 'Machine-to-machine pool (client credentials, no users): MFA does not apply.',
    });
    ack(userPool, {
      id: 'AwsSolutions-COG8',
      reason:
        'The Plus feature plan adds threat protection for user sign-ins; this pool has no users, only a client-credentials app.',
    });
    ack(userPool, {
      id: 'AwsSolutions-COG3',
      reason: 'No user sign-ins (client credentials only): advanced security (user risk) does not apply.',
    });
  }
  ack(stack.stateless.cursorKey, {
    id: 'AwsSolutions-SMG4',
    reason:
      'An HMAC key for list cursors, resolved into the function at deploy time: rotation needs a redeploy and only makes outstanding cursors answer 400 INVALID_CURSOR; rotate by redeploying after a new secret version.',
  });
  ack(stack.stateless.stage, {
    id: 'Serverless-APIGWXrayEnabled',
    reason: 'HTTP APIs do not support X-Ray; the functions behind them trace actively.',
  });
  return recorded;
}

function isEventSourceMapping(child: IConstruct): boolean {
  return CfnResource.isCfnResource(child) && child.cfnResourceType === 'AWS::Lambda::EventSourceMapping';
}

function isPublicRoute(child: IConstruct): boolean {
  if (!CfnResource.isCfnResource(child) || child.cfnResourceType !== 'AWS::ApiGatewayV2::Route') return false;
  const authorizationType = (child as unknown as { authorizationType?: string }).authorizationType;
  return authorizationType === undefined || authorizationType === 'NONE';
}
