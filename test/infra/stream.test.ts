import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { statementsOf, synth } from './stack.ts';

/**
 * The table's change stream is the outbox: the template has the stream, one mapping from
 * it to the publisher with its failure handling, an alarm on the on-failure DLQ, and only
 * the publisher may put events on the bus.
 */
const { template } = synth();

describe('events from the change stream', () => {
  it('the inventory table streams both images', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      KeySchema: Match.arrayWith([Match.objectLike({ AttributeName: 'pk' })]),
    });
  });

  const streamMappings = () =>
    Object.values(
      template.findResources('AWS::Lambda::EventSourceMapping', {
        Properties: { EventSourceArn: Match.objectLike({ 'Fn::GetAtt': Match.arrayWith(['StreamArn']) }) },
      }),
    ) as Array<{ Properties: Record<string, unknown> }>;

  it('one mapping feeds the publisher: batches, bisect, bounded retries and age, on-failure DLQ, partial failures, booking and item rows only', () => {
    const mappings = streamMappings().filter((m) =>
      JSON.stringify(m.Properties.FunctionName).includes('PublishChanges'),
    );
    const [mapping] = mappings;
    expect(mappings).toHaveLength(1);
    expect(mapping?.Properties).toMatchObject({
      BatchSize: 100,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      MaximumRecordAgeInSeconds: 21_600,
      ParallelizationFactor: 1,
      StartingPosition: 'TRIM_HORIZON',
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(JSON.stringify(mapping?.Properties.DestinationConfig)).toMatch(/PublisherDlq.*Arn/);
    expect(JSON.stringify(mapping?.Properties.FilterCriteria)).toContain('RESERVATION');
    expect(JSON.stringify(mapping?.Properties.FunctionName)).toMatch(/PublishChanges/);
  });

  it('one mapping feeds the waitlist server: item rows with a waitlist only, its own on-failure DLQ, alarmed', () => {
    const mappings = streamMappings().filter((m) =>
      JSON.stringify(m.Properties.FunctionName).includes('ServeWaitlist'),
    );
    expect(mappings).toHaveLength(1);
    const [mapping] = mappings;
    expect(mapping?.Properties).toMatchObject({
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(JSON.stringify(mapping?.Properties.DestinationConfig)).toMatch(/WaitlistServerDlq.*Arn/);
    const filter = JSON.parse(
      String(
        (mapping?.Properties.FilterCriteria as { Filters: { Pattern: string }[] } | undefined)?.Filters[0]
          ?.Pattern,
      ),
    );
    expect(filter).toEqual({
      dynamodb: {
        NewImage: { entity: { S: ['ITEM'] }, waitlistedQuantity: { N: [{ 'anything-but': ['0'] }] } },
      },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('WaitlistServerDlq'), 'QueueName'] },
        },
      ],
    });
  });

  it('the on-failure DLQ is alarmed', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('PublisherDlq'), 'QueueName'] } },
      ],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'IteratorAge' });
  });

  it('only the publisher puts events on the bus (no function publishes in its request path)', () => {
    const fns = Object.keys(template.findResources('AWS::Lambda::Function')).filter((id) =>
      id.startsWith('Stateless'),
    );
    const putters = fns.filter((id) =>
      statementsOf(template, id).some((s) => [s.Action].flat().includes('events:PutEvents')),
    );
    expect(putters).toEqual([expect.stringMatching(/PublishChanges/)]);
  });
});
