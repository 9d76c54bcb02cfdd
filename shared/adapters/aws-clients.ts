import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * SDK clients, created once per execution environment. The endpoint comes from the SDK's
 * own `AWS_ENDPOINT_URL` handling, so AWS, LocalStack and the local cloud differ only by
 * environment, never by code.
 */
export function createDocumentClient(
  client: DynamoDBClient = new DynamoDBClient({}),
): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
}

export function createEventBridgeClient(): EventBridgeClient {
  return new EventBridgeClient({});
}
