import type { Node } from 'constructs';

/** Deployment settings, from CDK context (`-c key=value` or cdk.json). */
export interface ServiceConfig {
  stage: string;
  /** External JWT issuer; when absent the stack creates a Cognito user pool. */
  jwtIssuer?: string;
  jwtAudience: string[];
  /** Import this existing bus instead of creating one. */
  eventBusName?: string;
  corsOrigins: string[];
  deletionProtection: boolean;
  alarmEmail?: string;
  /** Reserve one execution each for the sweeper and the reconciler. */
  reservedConcurrency: boolean;
  /**
   * `aws` (default) or `localstack` (`-c target=localstack`): the LocalStack shape leaves out
   * what LocalStack's free tier lacks and we can do without (a Cognito pool: an external
   * issuer is required instead; the schema registry). See README "LocalStack".
   */
  target: 'aws' | 'localstack';
}

const list = (value: unknown): string[] =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean)
    : Array.isArray(value)
      ? value.map(String)
      : [];

const optional = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

export function readConfig(node: Node): ServiceConfig {
  const stage = optional(node.tryGetContext('stage')) ?? 'dev';
  const jwtIssuer = optional(node.tryGetContext('jwtIssuer'));
  const jwtAudience = list(node.tryGetContext('jwtAudience'));
  const target = optional(node.tryGetContext('target')) ?? 'aws';
  if (target !== 'aws' && target !== 'localstack') {
    throw new Error(`Context target must be aws or localstack, not ${target}`);
  }
  if (target === 'localstack' && !jwtIssuer) {
    throw new Error(
      'Context target=localstack needs jwtIssuer and jwtAudience (Cognito user pools are not in the LocalStack free tier)',
    );
  }
  if (jwtIssuer && jwtAudience.length === 0) {
    throw new Error('Context jwtIssuer needs jwtAudience too (comma-separated accepted audiences)');
  }
  const protection = node.tryGetContext('deletionProtection');
  const eventBusName = optional(node.tryGetContext('eventBusName'));
  const alarmEmail = optional(node.tryGetContext('alarmEmail'));
  return {
    stage,
    ...(jwtIssuer ? { jwtIssuer } : {}),
    jwtAudience,
    ...(eventBusName ? { eventBusName } : {}),
    corsOrigins: list(node.tryGetContext('corsOrigins')),
    deletionProtection: protection === undefined ? stage === 'prod' : String(protection) === 'true',
    ...(alarmEmail ? { alarmEmail } : {}),
    reservedConcurrency: String(node.tryGetContext('reservedConcurrency')) === 'true',
    target,
  };
}
