import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_CREDENTIALS, REGION } from '../aws-account.ts';
import { flag, readOutputs } from './outputs.ts';

/**
 * Where the CLIs point: `--endpoint`, else AWS_ENDPOINT_URL, else the local cloud's edge
 * when the outputs file is the local one (it holds `AwsEndpointUrl`), else AWS itself.
 * Region: `--region`, else AWS_REGION / AWS_DEFAULT_REGION, else the local cloud's when
 * the endpoint is local. Names come from the outputs file (`--outputs`, default
 * .local/outputs.json) or flags. Works in a clean shell against the local cloud.
 */
export function target(args: readonly string[]) {
  const outputs = readOutputs(flag(args, 'outputs'));
  const endpoint = flag(args, 'endpoint') ?? process.env.AWS_ENDPOINT_URL ?? outputs.AwsEndpointUrl;
  const local = Boolean(endpoint && /^https?:\/\/(127\.0\.0\.1|localhost)([:/]|$)/.test(endpoint));
  const region =
    flag(args, 'region') ??
    process.env.AWS_REGION ??
    process.env.AWS_DEFAULT_REGION ??
    (local ? REGION : undefined);
  const config = {
    ...(endpoint ? { endpoint } : {}),
    ...(region ? { region } : {}),
    ...(local ? { credentials: LOCAL_CREDENTIALS } : {}),
  };
  return {
    outputs,
    endpoint,
    local,
    dynamo: () => new DynamoDBClient(config),
    streams: () => new DynamoDBStreamsClient(config),
    eventBridge: () => new EventBridgeClient(config),
    sqs: () => new SQSClient(config),
  };
}
