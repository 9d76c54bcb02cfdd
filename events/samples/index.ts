import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A sample event as it arrives from EventBridge (e.g. in an SQS message body). */
export interface SampleEvent {
  version: string;
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: { metadata: Record<string, unknown>; data: Record<string, unknown> };
}

const here = dirname(fileURLToPath(import.meta.url));

/** Every sample file: `<DetailType>[.<variant>].json`, each one full EventBridge event. */
export function loadSamples(): { file: string; detailType: string; event: SampleEvent }[] {
  return readdirSync(here)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const event = JSON.parse(readFileSync(join(here, file), 'utf8')) as SampleEvent;
      return { file, detailType: event['detail-type'], event };
    });
}

export function samplesOf(detailType: string): SampleEvent[] {
  return loadSamples()
    .filter((s) => s.detailType === detailType)
    .map((s) => s.event);
}
