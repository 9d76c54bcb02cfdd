/**
 * npm run events -- publish <DetailType> --data '<json>' | --file <path> [--correlation-id ID] [--bus NAME]
 * npm run events -- samples
 * Builds the `{ metadata, data }` envelope and puts the event on the bus.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { allEvents } from '../../events/index.ts';
import { loadSamples } from '../../events/samples/index.ts';
import { target } from './aws.ts';
import { flag } from './outputs.ts';

const [command, detailType, ...rest] = process.argv.slice(2);
const args = process.argv.slice(2);

if (command === 'samples') {
  for (const { file, detailType: type, event } of loadSamples()) {
    console.log(`${type.padEnd(28)} ${event.source.padEnd(18)} events/samples/${file}`);
  }
  process.exit(0);
}
if (command !== 'publish' || !detailType) {
  console.error(
    "usage: npm run events -- publish <DetailType> --data '<json>' | --file <path>\n       npm run events -- samples",
  );
  process.exit(2);
}
const contract = allEvents[detailType];
if (!contract) {
  console.error(`Unknown detail-type ${detailType}; known: ${Object.keys(allEvents).join(', ')}`);
  process.exit(2);
}
const raw =
  flag(rest, 'data') ?? (flag(rest, 'file') ? readFileSync(String(flag(rest, 'file')), 'utf8') : undefined);
if (!raw) {
  console.error('Give the event data with --data <json> or --file <path>');
  process.exit(2);
}
const parsed = JSON.parse(raw) as Record<string, unknown>;
// A file may hold a full sample event, a detail, or just the data.
const data = ((parsed.detail as Record<string, unknown>)?.data ?? parsed.data ?? parsed) as Record<
  string,
  unknown
>;
const detail = {
  metadata: {
    eventId: randomUUID(),
    correlationId: flag(rest, 'correlation-id') ?? randomUUID(),
    occurredAt: new Date().toISOString(),
    schemaVersion: contract.type.schemaVersion,
  },
  data,
};
const check = contract.detail.safeParse(detail);
if (!check.success) {
  console.error(`The event does not match ${detailType}:`, JSON.stringify(check.error.issues, null, 2));
  process.exit(2);
}
const { outputs, eventBridge } = target(args);
const bus = flag(rest, 'bus') ?? outputs.EventBusName;
if (!bus) {
  console.error('No bus: pass --bus NAME or --outputs FILE (default .local/outputs.json)');
  process.exit(2);
}
const result = await eventBridge().send(
  new PutEventsCommand({
    Entries: [
      {
        EventBusName: bus,
        Source: contract.type.source,
        DetailType: detailType,
        Detail: JSON.stringify(detail),
      },
    ],
  }),
);
if (result.FailedEntryCount) {
  console.error('EventBridge refused the event:', JSON.stringify(result.Entries));
  process.exit(1);
}
console.log(JSON.stringify({ eventBridgeId: result.Entries?.[0]?.EventId, ...detail.metadata }));
