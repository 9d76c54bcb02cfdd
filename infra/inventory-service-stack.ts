import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { CfnRegistry, CfnSchema } from 'aws-cdk-lib/aws-eventschemas';
import type { Construct } from 'constructs';
import { publishedEvents } from '../events/index.ts';
import { allJsonSchemas } from '../events/json-schemas.ts';
import type { ServiceConfig } from './config.ts';
import { Observability } from './observability.ts';
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
    this.#schemaRegistry(config);

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
          this.stateful.consumerQueues.flatMap(({ event, queue, dlq, targetDlq }) => [
            [`${event.detailType}Queue`, queue.queueUrl],
            [`${event.detailType}Dlq`, dlq.queueUrl],
            [`${event.detailType}TargetDlq`, targetDlq.queueUrl],
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

  /** Our published event schemas in an EventBridge Schema Registry, for discovery and code bindings. */
  #schemaRegistry(config: ServiceConfig) {
    const registry = new CfnRegistry(this, 'SchemaRegistry', {
      registryName: `inventory-service-${config.stage}`,
      description: 'Events published by the inventory service (source inventory-service)',
    });
    const schemas = allJsonSchemas();
    for (const name of Object.keys(publishedEvents)) {
      const schema = new CfnSchema(this, `${name}Schema`, {
        registryName: registry.attrRegistryName,
        schemaName: `inventory-service@${name}`,
        type: 'JSONSchemaDraft4',
        content: JSON.stringify(schemas[name]),
        description: `detail of ${name}`,
      });
      schema.node.addDependency(registry);
    }
  }
}
