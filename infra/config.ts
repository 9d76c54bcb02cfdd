import type { Node } from 'constructs';
import { BOOKING_SOURCE, PAYMENT_SOURCE } from '../events/envelope.ts';
import { isAcceptableIssuerUrl } from '../shared/http/token-claims.ts';

/** The services whose events we consume. */
export type Producer = 'booking' | 'payment';

/** Deployment settings, from CDK context (`-c key=value` or cdk.json). */
export interface ServiceConfig {
  stage: string;
  /** External JWT issuer; when absent the stack creates a Cognito user pool. */
  jwtIssuer?: string;
  jwtAudience: string[];
  /** Where the issuer's keys are, when its discovery document should not be followed. */
  jwksUri?: string;
  /** The `source` each producer puts its events with (rules match it). */
  producerSources: Record<Producer, string>;
  /** The account each producer puts from, when known (rules then match it too). */
  producerAccounts: Partial<Record<Producer, string>>;
  /** The hourly reconciler repairs drift (and then holds write permissions). */
  reconcileRepair: boolean;
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
  // Tokens and keys over plain http could be forged in transit; loopback is the local cloud.
  const jwksUri = optional(node.tryGetContext('jwksUri'));
  for (const [name, url] of [
    ['jwtIssuer', jwtIssuer],
    ['jwksUri', jwksUri],
  ] as const) {
    if (url && !isAcceptableIssuerUrl(url)) {
      throw new Error(
        `Context ${name} must be an https URL (http only on loopback for the local cloud): ${url}`,
      );
    }
  }
  const account = (key: string) => {
    const value = optional(node.tryGetContext(key));
    if (value && !/^\d{12}$/.test(value)) throw new Error(`Context ${key} must be a 12-digit account id`);
    return value;
  };
  const bookingAccount = account('bookingAccount');
  const paymentAccount = account('paymentAccount');
  const protection = node.tryGetContext('deletionProtection');
  const eventBusName = optional(node.tryGetContext('eventBusName'));
  const alarmEmail = optional(node.tryGetContext('alarmEmail'));
  return {
    stage,
    ...(jwtIssuer ? { jwtIssuer } : {}),
    jwtAudience,
    ...(jwksUri ? { jwksUri } : {}),
    producerSources: {
      booking: optional(node.tryGetContext('bookingSource')) ?? BOOKING_SOURCE,
      payment: optional(node.tryGetContext('paymentSource')) ?? PAYMENT_SOURCE,
    },
    producerAccounts: {
      ...(bookingAccount ? { booking: bookingAccount } : {}),
      ...(paymentAccount ? { payment: paymentAccount } : {}),
    },
    reconcileRepair: String(node.tryGetContext('reconcileRepair')) === 'true',
    ...(eventBusName ? { eventBusName } : {}),
    corsOrigins: list(node.tryGetContext('corsOrigins')),
    deletionProtection: protection === undefined ? stage === 'prod' : String(protection) === 'true',
    ...(alarmEmail ? { alarmEmail } : {}),
    reservedConcurrency: String(node.tryGetContext('reservedConcurrency')) === 'true',
    target,
  };
}
