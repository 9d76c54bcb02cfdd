import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { readConfig } from './config.ts';
import { InventoryServiceStack } from './inventory-service-stack.ts';
import { acknowledgeNagFindings } from './nag.ts';

const app = new App();
const config = readConfig(app.node);
const stack = new InventoryServiceStack(app, `InventoryService-${config.stage}`, {
  config,
  description:
    'Inventory reservation service: booking saga participant (HTTP API, EventBridge, SQS, DynamoDB)',
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
acknowledgeNagFindings(stack);
// `-c nag=true` runs the rule packs at synth time too (the test suite always runs them).
if (String(app.node.tryGetContext('nag')) === 'true') {
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { verbose: true }),
    new ServerlessChecks(app, { verbose: true }),
  );
}
app.synth();
