import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { readConfig } from '../../infra/config.ts';
import { InventoryServiceStack } from '../../infra/inventory-service-stack.ts';
import { acknowledgeNagFindings } from '../../infra/nag.ts';

/** Synthesizes the stack once per context (bundling ten functions takes a few seconds). */
const cache = new Map<
  string,
  {
    app: App;
    stack: InventoryServiceStack;
    template: Template;
    acknowledged: ReturnType<typeof acknowledgeNagFindings>;
  }
>();

/**
 * Synthesizes the stack for a context. Bundling (esbuild, eleven functions) is skipped
 * unless a test needs the bundles: templates are the same apart from asset hashes.
 */
export function synth(context: Record<string, unknown> = {}, options: { bundle?: boolean } = {}) {
  if (!options.bundle) context = { 'aws:cdk:bundling-stacks': [], ...context };
  const key = JSON.stringify(context);
  const hit = cache.get(key);
  if (hit) return hit;
  const app = new App({ context });
  const config = readConfig(app.node);
  const stack = new InventoryServiceStack(app, `InventoryService-${config.stage}`, {
    config,
    env: { account: '123456789012', region: 'us-east-1' },
  });
  const acknowledged = acknowledgeNagFindings(stack);
  const template = Template.fromStack(stack);
  const result = { app, stack, template, acknowledged };
  cache.set(key, result);
  return result;
}

export interface Statement {
  Action: string | string[];
  Resource: unknown;
}

/** The statements of every policy attached to a function's role. */
export function statementsOf(template: Template, functionLogicalIdPrefix: string): Statement[] {
  const fns = template.findResources('AWS::Lambda::Function');
  const id = Object.keys(fns).find((k) => k.startsWith(functionLogicalIdPrefix));
  if (!id) throw new Error(`no function ${functionLogicalIdPrefix}`);
  const roleRef = (fns[id]!.Properties as { Role: { 'Fn::GetAtt': [string, string] } }).Role['Fn::GetAtt'][0];
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
    ((p.Properties as { Roles: { Ref: string }[] }).Roles ?? []).some((r) => r.Ref === roleRef),
  );
  return policies.flatMap(
    (p) => (p.Properties as { PolicyDocument: { Statement: Statement[] } }).PolicyDocument.Statement,
  );
}

/** The IAM actions of every policy attached to a function's role. */
export function actionsOf(
  template: Template,
  functionLogicalIdPrefix: string,
): { actions: string[]; resources: unknown[] } {
  const statements = statementsOf(template, functionLogicalIdPrefix);
  return {
    actions: statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])).sort(),
    resources: statements.flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource])),
  };
}
