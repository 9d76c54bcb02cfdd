import { describe, expect, it } from 'vitest';
import { deadLetterQueues, eventRules, StackModel } from '../../../local/provisioning.ts';
import type { CloudAssembly } from '../../../local/template.ts';

const model = (resources: CloudAssembly['template']['Resources']) =>
  new StackModel(
    { dir: '/nowhere', stackName: 'S', template: { Resources: resources } },
    { edge: 'http://127.0.0.1:4566', api: 'http://127.0.0.1:3000' },
  );

describe('provisioning from the template', () => {
  it('fails at start-up naming the rule and the reason when a pattern is invalid, as cdk deploy would', () => {
    const m = model({
      Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'bus' } },
      GoodRule: {
        Type: 'AWS::Events::Rule',
        Properties: { EventBusName: 'bus', EventPattern: { source: ['a'] } },
      },
      BadRule: {
        Type: 'AWS::Events::Rule',
        Properties: { EventBusName: 'bus', EventPattern: { detail: { amount: [{ numeric: 10 }] } } },
      },
    });
    expect(() => eventRules(m)).toThrow(/Rule BadRule \(S-BadRule\) has an invalid event pattern: .*numeric/);
  });

  it('finds dead-letter queues and where a redrive sends their messages back', () => {
    const m = model({
      Dlq: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'dlq' } },
      Queue: {
        Type: 'AWS::SQS::Queue',
        Properties: {
          QueueName: 'q',
          RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['Dlq', 'Arn'] } },
        },
      },
      TargetDlq: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'tdlq' } },
      Fn: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'fn' } },
      Rule: {
        Type: 'AWS::Events::Rule',
        Properties: {
          ScheduleExpression: 'rate(1 minute)',
          Targets: [
            {
              Id: 't',
              Arn: { 'Fn::GetAtt': ['Fn', 'Arn'] },
              DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['TargetDlq', 'Arn'] } },
            },
          ],
        },
      },
    });
    expect(deadLetterQueues(m)).toEqual([
      { name: 'dlq', source: { kind: 'sqs', name: 'q', via: 'redrive-policy' } },
      { name: 'tdlq', source: { kind: 'lambda', name: 'Fn', via: 'rule-target' } },
    ]);
  });

  it('resolves queue URLs on the edge', () => {
    const m = model({ Q: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'q' } } });
    expect(m.resolve({ Ref: 'Q' })).toBe('http://127.0.0.1:4566/000000000000/q');
  });
});
