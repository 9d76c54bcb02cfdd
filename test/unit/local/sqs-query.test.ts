import { describe, expect, it } from 'vitest';
import { jsonToQueryXml, queryToJson } from '../../../local/sqs-query.ts';

/** SQS query protocol <-> JSON, on the shapes the SQS API reference's query examples use. */
describe('SQS query protocol translation', () => {
  it('reads scalars, integers, attribute name lists and attribute maps', () => {
    const form = new URLSearchParams(
      'Action=ReceiveMessage&Version=2012-11-05&QueueUrl=http%3A%2F%2F127.0.0.1%3A4566%2F000000000000%2Fq' +
        '&MaxNumberOfMessages=5&WaitTimeSeconds=1&AttributeName.1=All&MessageAttributeName.1=a&MessageAttributeName.2=b',
    );
    expect(queryToJson('ReceiveMessage', form)).toEqual({
      QueueUrl: 'http://127.0.0.1:4566/000000000000/q',
      MaxNumberOfMessages: 5,
      WaitTimeSeconds: 1,
      AttributeNames: ['All'],
      MessageAttributeNames: ['a', 'b'],
    });
    const create = new URLSearchParams(
      'Action=CreateQueue&QueueName=q&Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=30&Attribute.2.Name=DelaySeconds&Attribute.2.Value=0&Tag.1.Key=team&Tag.1.Value=x',
    );
    expect(queryToJson('CreateQueue', create)).toEqual({
      QueueName: 'q',
      Attributes: { VisibilityTimeout: '30', DelaySeconds: '0' },
      tags: { team: 'x' },
    });
  });

  it('reads batch entries (ordered by index, not by text) with their message attributes', () => {
    const form = new URLSearchParams();
    form.set('Action', 'SendMessageBatch');
    form.set('QueueUrl', 'u');
    for (const i of [10, 2, 1]) {
      form.set(`SendMessageBatchRequestEntry.${i}.Id`, `m${i}`);
      form.set(`SendMessageBatchRequestEntry.${i}.MessageBody`, `body ${i}`);
      form.set(`SendMessageBatchRequestEntry.${i}.DelaySeconds`, '0');
    }
    form.set('SendMessageBatchRequestEntry.1.MessageAttribute.1.Name', 'k');
    form.set('SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue', 'v');
    form.set('SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType', 'String');
    const input = queryToJson('SendMessageBatch', form) as { Entries: Record<string, unknown>[] };
    expect(input.Entries.map((e) => e.Id)).toEqual(['m1', 'm2', 'm10']);
    expect(input.Entries[0]).toEqual({
      Id: 'm1',
      MessageBody: 'body 1',
      DelaySeconds: 0,
      MessageAttributes: { k: { StringValue: 'v', DataType: 'String' } },
    });
  });

  it('answers in XML with flattened lists and maps, escaping text', () => {
    const xml = jsonToQueryXml('ReceiveMessage', {
      Messages: [
        {
          MessageId: 'id-1',
          Body: '{"a":"<b> & c"}',
          Attributes: { ApproximateReceiveCount: '2' },
          MessageAttributes: { k: { StringValue: 'v', DataType: 'String' } },
        },
      ],
    });
    expect(xml).toContain(
      '<ReceiveMessageResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><ReceiveMessageResult><Message>',
    );
    expect(xml).toContain('<Body>{&quot;a&quot;:&quot;&lt;b&gt; &amp; c&quot;}</Body>');
    expect(xml).toContain('<Attribute><Name>ApproximateReceiveCount</Name><Value>2</Value></Attribute>');
    expect(xml).toContain(
      '<MessageAttribute><Name>k</Name><Value><StringValue>v</StringValue><DataType>String</DataType></Value></MessageAttribute>',
    );
    expect(jsonToQueryXml('ListQueues', { QueueUrls: ['u1', 'u2'] })).toContain(
      '<ListQueuesResult><QueueUrl>u1</QueueUrl><QueueUrl>u2</QueueUrl></ListQueuesResult>',
    );
    expect(
      jsonToQueryXml('DeleteMessageBatch', {
        Successful: [{ Id: '1' }],
        Failed: [{ Id: '2', SenderFault: true, Code: 'ReceiptHandleIsInvalid', Message: 'm' }],
      }),
    ).toContain(
      '<DeleteMessageBatchResultEntry><Id>1</Id></DeleteMessageBatchResultEntry><BatchResultErrorEntry><Id>2</Id><SenderFault>true</SenderFault>',
    );
  });
});
