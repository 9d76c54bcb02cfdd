/**
 * npm start [-- --persist] [--verbose]: the whole service on this machine, from the
 * synthesized template. Stops every child process on Ctrl-C, SIGINT or SIGTERM.
 */
import { startLocalCloud } from '../cloud.ts';
import { isNoteworthy } from '../terminal.ts';

const args = process.argv.slice(2);
const intEnv = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined);
const verbose = args.includes('--verbose');

console.log('Starting the local cloud (synthesizes the CDK app when sources changed)…');
const cloud = await startLocalCloud({
  persist: args.includes('--persist'),
  ...(intEnv('LOCAL_AWS_PORT') ? { edgePort: intEnv('LOCAL_AWS_PORT') } : {}),
  ...(intEnv('LOCAL_HTTP_PORT') ? { httpPort: intEnv('LOCAL_HTTP_PORT') } : {}),
  ...(intEnv('LOCAL_SCHEDULE_INTERVAL_SECONDS')
    ? { scheduleIntervalSeconds: intEnv('LOCAL_SCHEDULE_INTERVAL_SECONDS') }
    : {}),
  ...(intEnv('LOCAL_VISIBILITY_TIMEOUT_SECONDS')
    ? { visibilityTimeoutSeconds: intEnv('LOCAL_VISIBILITY_TIMEOUT_SECONDS') }
    : {}),
  // Functions log at INFO into the local CloudWatch Logs (console, FilterLogEvents);
  // the terminal shows only what needs attention. No EMF blobs locally.
  functionEnv: {
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'INFO',
    POWERTOOLS_METRICS_DISABLED: 'true',
  },
  log: (line) => console.log(line),
});
cloud.logs.onLine((line) => {
  if (verbose || isNoteworthy(line.message)) console.log(`[${line.functionName}] ${line.message}`);
});

const notEmulated = Object.entries(cloud.notEmulated)
  .map(([type, n]) => `${type} x${n}`)
  .join(', ');
const endpoint = `--endpoint-url ${cloud.urls.edge}`;
console.log(`
Inventory service is up in ${(cloud.startupMs / 1000).toFixed(1)} s (stack ${cloud.stackName})

  Console         ${cloud.urls.console}
  HTTP API        ${cloud.urls.api}            (try ${cloud.urls.api}/api/inventory)
  AWS edge        ${cloud.urls.edge}            (endpoint for the SDK and the AWS CLI)
  Event log       ${cloud.urls.edge}/_local/events?bookingId=<id>
  JWT issuer      ${cloud.urls.issuer}
  Outputs         .local/outputs.json
  Event bus       ${cloud.outputs.EventBusName}    Table ${cloud.outputs.TableName}

  Get a token:      TOKEN=$(npm run -s token -- --scopes "inventory/write inventory/admin")
  Publish an event: npm run events -- publish BookingCreated --data '{"bookingId":"<uuid>","items":[{"itemId":"ROOM-101","quantity":1}]}'
  Dead letters:     npm run dlq -- list
  AWS CLI:          AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws ${endpoint} sqs list-queues

  Function logs: warnings and errors here (all of it with --verbose, or in the console).
  Not emulated (no runtime behaviour locally): ${notEmulated || 'none'}
  Ctrl-C (or SIGINT/SIGTERM) stops everything.`);

// A terminal's Ctrl-C reaches npm and this process at once, and npm forwards its copy:
// a second signal within a moment is that echo; a later one means "stop waiting".
const ECHO_MS = 2000;
let stoppingSince: number | undefined;
const shutdown = async (signal: NodeJS.Signals) => {
  if (stoppingSince !== undefined) {
    if (Date.now() - stoppingSince > ECHO_MS) process.exit(130);
    return;
  }
  stoppingSince = Date.now();
  console.log(`\n${signal}: stopping…`);
  await cloud.stop();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
