import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { synth } from './stack.ts';

/**
 * cdk-nag's AwsSolutions and Serverless packs on the stack as the README deploys it (with
 * Cognito, and with an external issuer and an imported bus). Every finding must be fixed
 * or acknowledged (rule, finding, resource, reason) in infra/nag.ts.
 */
describe.each([
  ['dev with Cognito', {}],
  [
    'prod with an external issuer and bus',
    { stage: 'prod', jwtIssuer: 'https://issuer.example.com', jwtAudience: 'api', eventBusName: 'bookings' },
  ],
])('cdk-nag on %s', (_name, context: Record<string, string>) => {
  const { stack, acknowledged } = synth(context);

  it.each([
    ['AwsSolutions', new AwsSolutionsChecks(undefined, { verbose: true })],
    ['Serverless', new ServerlessChecks(undefined, { verbose: true })],
  ])('%s: no unacknowledged finding', (_pack, checks) => {
    const result = checks.validateScope(stack);
    const findings = result.violations.map(
      (v) =>
        `${v.ruleName} (${v.severity}) on ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
  });

  it('names the rule and gives a reason for every acknowledgement', () => {
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const ack of acknowledged) {
      expect(ack.id).toMatch(/^(AwsSolutions|Serverless)-[A-Za-z0-9]+(\[.+\])?$/);
      expect(ack.reason.length).toBeGreaterThan(20);
    }
    // IAM5 is acknowledged only for named findings, never as a whole rule.
    expect(acknowledged.filter((a) => a.id === 'AwsSolutions-IAM5')).toEqual([]);
  });
});
