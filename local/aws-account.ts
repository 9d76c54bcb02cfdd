/**
 * The local cloud's one region and account: every ARN, queue URL, event envelope and
 * client configuration of the emulators reads them from here.
 */
export const REGION = 'us-east-1';
export const ACCOUNT_ID = '000000000000';
/** Any credentials do locally; the edge does not check signatures. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** `arn:aws:<service>:<region>:<account>:<resource>` in the local region and account. */
export const localArn = (service: string, resource: string): string =>
  `arn:aws:${service}:${REGION}:${ACCOUNT_ID}:${resource}`;

/** An SQS queue URL on the given endpoint, as SQS builds them (`<endpoint>/<account>/<name>`). */
export const queueUrl = (endpoint: string, queueName: string): string =>
  `${endpoint}/${ACCOUNT_ID}/${queueName}`;

/** EventBridge and CloudWatch timestamps: ISO 8601 without milliseconds. */
export const awsTime = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');
