import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Aspects, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { CfnRegistry, CfnSchema } from 'aws-cdk-lib/aws-eventschemas';
import type { Construct } from 'constructs';
import type { ServiceConfig } from './config.ts';
import { Observability } from './observability.ts';
import { retainsData, StageRemovalPolicy } from './removal-policy.ts';
import { Stateful } from './stateful.ts';
import { Stateless } from './stateless.ts';

export interface InventoryServiceStackProps extends StackProps {
  config: ServiceConfig;
}

/** The whole service in one stack: stateful and stateless parts, observability, outputs. */
export class InventoryServiceStack extends Stack {
  readonly stateful: Stateful;
  readonly stateless: Stateless;
  readonly observability: Observability;

  constructor(scope: Construct, id: string, props: InventoryServiceStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.stateful = new Stateful(this, 'Stateful', config);
    this.stateless = new Stateless(this, 'Stateless', config, this.stateful);
    this.observability = new Observability(this, 'Observability', config, this.stateful, this.stateless);
    // The schema registry is documentation for consumers; LocalStack's free tier has no EventBridge Schemas.
    if (config.target === 'aws') this.#schemaRegistry(config);
    Aspects.of(this).add(new StageRemovalPolicy(retainsData(config)));

    const output = (name: string, value: string, description: string) =>
      new CfnOutput(this, name, { value, description });
    output('ApiUrl', this.stateless.stage.url.replace(/\/$/, ''), 'Base URL of the HTTP API');
    output('TableName', this.stateful.table.tableName, 'Domain table');
    output('IdempotencyTableName', this.stateful.idempotencyTable.tableName, 'Powertools idempotency table');
    output('EventBusName', this.stateful.bus.eventBusName, 'Bus we consume from and publish to');
    output('AlarmTopicArn', this.observability.topic.topicArn, 'SNS topic of every alarm');
    output('JwtIssuer', this.stateless.auth.issuer, 'Expected token issuer');
    output(
      'QueueUrls',
      this.toJsonString(
        Object.fromEntries(
          this.stateful.consumerQueues
            .flatMap(({ event, queue, dlq, targetDlq }) => [
              [`${event.detailType}Queue`, queue.queueUrl],
              [`${event.detailType}Dlq`, dlq.queueUrl],
              [`${event.detailType}TargetDlq`, targetDlq.queueUrl],
            ])
            .concat(this.stateless.scheduleDlqs.map(({ name, queue }) => [name, queue.queueUrl]))
            .concat([
              ['PublisherDlq', this.stateful.publisherDlq.queueUrl],
              ['WaitlistServerDlq', this.stateful.waitlistServerDlq.queueUrl],
            ]),
        ),
      ),
      'Consumer queues and dead-letter queues by name (JSON), for npm run dlq',
    );
    const { userPool, clientId, tokenUrl } = this.stateless.auth;
    if (userPool && clientId && tokenUrl) {
      output('UserPoolId', userPool.userPoolId, 'Cognito user pool issuing tokens');
      output('UserPoolClientId', clientId, 'Client-credentials app client');
      output('TokenUrl', tokenUrl, 'OAuth2 token endpoint (client credentials)');
    }
  }

  /**
   * Our published event schemas in an EventBridge Schema Registry, for discovery and code
   * bindings: the committed files of events/schemas whose `x-source` is ours (the consumed
   * events' schemas belong to their producers' registries).
   */
  #schemaRegistry(config: ServiceConfig) {
    const registry = new CfnRegistry(this, 'SchemaRegistry', {
      registryName: `inventory-service-${config.stage}`,
      description: 'Events published by the inventory service (source inventory-service)',
    });
    for (const { name, schema } of publishedSchemaFiles()) {
      const created = new CfnSchema(this, `${name}Schema`, {
        registryName: registry.attrRegistryName,
        schemaName: `inventory-service@${name}`,
        type: 'JSONSchemaDraft4',
        content: JSON.stringify(schema),
        description: `detail of ${name}`,
      });
      created.node.addDependency(registry);
    }
  }
}

export const SCHEMA_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'events', 'schemas');

/** The JSON Schemas in events/schemas of events we publish; none while the folder is absent or empty. */
export function publishedSchemaFiles(dir = SCHEMA_DIR): { name: string; schema: Record<string, unknown> }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({
      name: basename(file, '.json'),
      schema: JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>,
    }))
    .filter(({ schema }) => schema['x-source'] === 'inventory-service');
}
