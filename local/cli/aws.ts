import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { flag, readOutputs } from './outputs.ts';

/**
 * Where the CLIs point: `--endpoint`, else AWS_ENDPOINT_URL, else the local cloud's edge
 * when the outputs file is the local one, else AWS itself. Names come from the outputs
 * file (`--outputs`, default .local/outputs.json) or flags.
 */
export function target(args: readonly string[]) {
  const outputs = readOutputs(flag(args, 'outputs'));
  const endpoint = flag(args, 'endpoint') ?? process.env.AWS_ENDPOINT_URL ?? outputs.AwsEndpointUrl;
  const local = endpoint?.includes('127.0.0.1') || endpoint?.includes('localhost');
  const config = {
    ...(endpoint ? { endpoint } : {}),
    ...(local
      ? { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
  };
  return {
    outputs,
    eventBridge: () => new EventBridgeClient(config),
    sqs: () => new SQSClient(config),
  };
}
