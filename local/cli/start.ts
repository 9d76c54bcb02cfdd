/**
 * npm start [-- --persist]: the whole service on this machine, from the synthesized
 * template. Stops every child process on Ctrl-C.
 */
import { startLocalCloud } from '../cloud.ts';

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
  ...(verbose
    ? {}
    : {
        functionEnv: {
          POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
          POWERTOOLS_METRICS_DISABLED: 'true',
        },
      }),
  log: (line) => console.log(line),
});

const notEmulated = Object.entries(cloud.notEmulated)
  .map(([type, n]) => `${type} x${n}`)
  .join(', ');
console.log(`
Inventory service is up in ${(cloud.startupMs / 1000).toFixed(1)} s (stack ${cloud.stackName})

  HTTP API        ${cloud.urls.api}            (try ${cloud.urls.api}/api/inventory)
  AWS edge        ${cloud.urls.edge}            (AWS_ENDPOINT_URL for the SDK and the AWS CLI)
  Event log       ${cloud.urls.edge}/_local/events?bookingId=<id>
  JWT issuer      ${cloud.urls.issuer}
  Outputs         .local/outputs.json
  Event bus       ${cloud.outputs.EventBusName}    Table ${cloud.outputs.TableName}

  Get a token:      TOKEN=$(npm run -s token -- --scopes "inventory/write inventory/admin")
  Publish an event: npm run events -- publish BookingCreated --data '{"bookingId":"<uuid>","items":[{"itemId":"ROOM-101","quantity":1}]}'
  Dead letters:     npm run dlq -- list

  Not emulated (no runtime behaviour locally): ${notEmulated || 'none'}
  Ctrl-C stops everything.`);

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping…');
  await cloud.stop();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
