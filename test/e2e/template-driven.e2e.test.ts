import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../local/cloud.ts';
import { issuerUrl, LOCAL_AUDIENCE } from '../../local/issuer.ts';
import { readAssembly, synthesize } from '../../local/template.ts';

/**
 * The local cloud runs what the template says: remove a route and a rule from the
 * synthesized template, and the route answers 404 and the event matches no rule, with no
 * other change anywhere.
 */

let cloud: LocalCloud;

beforeAll(async () => {
  const assembly = synthesize({
    root: process.cwd(),
    outdir: 'cdk.local.out',
    context: { jwtIssuer: issuerUrl(4566), jwtAudience: LOCAL_AUDIENCE },
  });
  const dir = mkdtempSync(join(tmpdir(), 'edited-assembly-'));
  cpSync(assembly.dir, dir, { recursive: true });
  const { stackName } = readAssembly(dir);
  const templateFile = join(dir, `${stackName}.template.json`);
  const template = JSON.parse(readFileSync(templateFile, 'utf8')) as {
    Resources: Record<string, { Type: string; Properties?: any }>;
  };
  for (const [id, r] of Object.entries(template.Resources)) {
    const routeKey = r.Type === 'AWS::ApiGatewayV2::Route' ? r.Properties?.RouteKey : undefined;
    const detailType =
      r.Type === 'AWS::Events::Rule' ? r.Properties?.EventPattern?.['detail-type']?.[0] : undefined;
    if (routeKey === 'GET /api/inventory/{itemId}' || detailType === 'BookingCreated')
      delete template.Resources[id];
  }
  writeFileSync(templateFile, JSON.stringify(template));
  cloud = await startLocalCloud({
    root: mkdtempSync(join(tmpdir(), 'edited-root-')),
    assemblyDir: dir,
    edgePort: 4577,
    httpPort: 3011,
    seed: false,
    functionEnv: { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
  });
}, 180_000);

afterAll(async () => {
  await cloud?.stop();
});

describe('a template with a route and a rule removed', () => {
  it('no longer serves the removed route; the others still answer', async () => {
    expect((await fetch(`${cloud.urls.api}/api/inventory/ROOM-101`)).status).toBe(404);
    expect((await fetch(`${cloud.urls.api}/api/inventory`)).status).toBe(200);
  });

  it('no longer routes the removed rule’s events; the other rules still match', async () => {
    const eb = new EventBridgeClient({
      region: 'us-east-1',
      endpoint: cloud.urls.edge,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    const bookingId = randomUUID();
    const put = (detailType: string, source: string) =>
      eb.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: cloud.outputs.EventBusName,
              Source: source,
              DetailType: detailType,
              Detail: JSON.stringify({
                metadata: {
                  eventId: randomUUID(),
                  correlationId: 'c',
                  occurredAt: new Date().toISOString(),
                  schemaVersion: '1',
                },
                data: { bookingId, items: [{ itemId: 'X', quantity: 1 }] },
              }),
            },
          ],
        }),
      );
    await put('BookingCreated', 'booking-service');
    await put('PaymentFailed', 'payment-service');
    const log = cloud.bus.query({ bookingId });
    expect(log.find((e) => e['detail-type'] === 'BookingCreated')?.matches).toEqual([]);
    expect(log.find((e) => e['detail-type'] === 'PaymentFailed')?.matches).toHaveLength(1);
    eb.destroy();
  });
});
