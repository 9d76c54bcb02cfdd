import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { BOOKING_SOURCE, INVENTORY_SOURCE, PAYMENT_SOURCE } from '../../events/envelope.ts';
import { readConfig } from '../../infra/config.ts';
import { CONSUMED_EVENTS } from '../../infra/stateful.ts';
import { ROUTE_TABLE, routeKeyOf, Scope } from '../../shared/http/route-table.ts';
import { actionsOf, statementsOf, synth } from './stack.ts';

/** Trust boundaries as the template states them (issue 10). */
const { template } = synth();
/** Every trust-related context value at once (one more synthesis, not five). */
const CUSTOM = {
  bookingSource: 'com.example.booking',
  paymentSource: 'com.example.payment',
  bookingAccount: '111111111111',
  paymentAccount: '222222222222',
  reconcileRepair: 'true',
  jwtIssuer: 'https://idp.example.com/oauth2/default',
  jwtAudience: 'api',
  jwksUri: 'https://idp.example.com/oauth2/default/v1/keys',
};
const custom = () => synth(CUSTOM).template;

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are untyped JSON
type Props = Record<string, any>;
const resources = (type: string, t = template) =>
  Object.entries(t.findResources(type)).map(([id, r]) => ({ id, props: r.Properties as Props }));
const envOf = (prefix: string, t = template): Record<string, unknown> => {
  const fn = resources('AWS::Lambda::Function', t).find((f) => f.id.startsWith(prefix));
  if (!fn) throw new Error(`no function ${prefix}`);
  return fn.props.Environment?.Variables ?? {};
};

describe('one route table feeds the API routes and authorizer scopes', () => {
  it('has exactly the table routes, each with its scopes (any of them), on its function', () => {
    const routes = resources('AWS::ApiGatewayV2::Route').map((r) => r.props);
    expect(routes.map((r) => r.RouteKey).sort()).toEqual(ROUTE_TABLE.map(routeKeyOf).sort());
    const integrations = Object.fromEntries(
      resources('AWS::ApiGatewayV2::Integration').map((i) => [i.id, i.props]),
    );
    const fnIds = resources('AWS::Lambda::Function').map((f) => f.id);
    for (const route of ROUTE_TABLE) {
      const found = routes.find((r) => r.RouteKey === routeKeyOf(route));
      if (route.scopes.length > 0) {
        expect(found, routeKeyOf(route)).toMatchObject({
          AuthorizationType: 'JWT',
          AuthorizationScopes: [...route.scopes],
        });
      } else {
        expect(found?.AuthorizationType ?? 'NONE', routeKeyOf(route)).toBe('NONE');
        expect(found?.AuthorizationScopes, routeKeyOf(route)).toBeUndefined();
      }
      const integrationId = String(found?.Target?.['Fn::Join']?.[1]?.[1]?.Ref);
      const uri = JSON.stringify(integrations[integrationId]?.IntegrationUri);
      const pascal = route.fn
        .split('-')
        .map((p) => p[0]?.toUpperCase() + p.slice(1))
        .join('');
      const target = fnIds.find((id) => uri.includes(`"${id}"`));
      expect(target, routeKeyOf(route)).toMatch(new RegExp(`^Stateless${pascal}[0-9A-F]{8}$`));
    }
  });

  it('lists every scope on the Cognito resource server, inventory/service included', () => {
    const [server] = resources('AWS::Cognito::UserPoolResourceServer');
    expect(server?.props.Identifier).toBe('inventory');
    const names = ((server?.props.Scopes ?? []) as { ScopeName: string }[]).map(
      (s) => `inventory/${s.ScopeName}`,
    );
    expect(names.sort()).toEqual(Object.values(Scope).sort());
  });

  it('gives the client-credentials client the service scope and the operator client the admin scope', () => {
    const clients = resources('AWS::Cognito::UserPoolClient').map((c) => c.props);
    const scopesOf = (c: Props) => JSON.stringify(c.AllowedOAuthScopes);
    expect(clients.some((c) => scopesOf(c).includes('/service') && !scopesOf(c).includes('/admin'))).toBe(
      true,
    );
    expect(clients.some((c) => scopesOf(c).includes('/admin') && !scopesOf(c).includes('/service'))).toBe(
      true,
    );
  });
});

describe('authentic events', () => {
  it('lets every function of ours put events only with our own source', () => {
    for (const { id } of resources('AWS::Lambda::Function')) {
      for (const statement of statementsOf(template, id) as (Props & { Condition?: Props })[]) {
        if (![statement.Action].flat().includes('events:PutEvents')) continue;
        expect(statement.Condition, id).toEqual({ StringEquals: { 'events:source': INVENTORY_SOURCE } });
      }
    }
    // The publisher is one of them; the internet-facing reservations function none.
    expect(actionsOf(template, 'StatelessPublishChanges').actions).toContain('events:PutEvents');
    expect(actionsOf(template, 'StatelessReservations').actions).not.toContain('events:PutEvents');
  });

  it("matches each consumed event on its producer's source, from context with defaults", () => {
    const defaults = { booking: BOOKING_SOURCE, payment: PAYMENT_SOURCE };
    const rules = resources('AWS::Events::Rule').map((r) => r.props);
    const customRules = resources('AWS::Events::Rule', custom()).map((r) => r.props);
    const sources = { booking: CUSTOM.bookingSource, payment: CUSTOM.paymentSource };
    for (const event of CONSUMED_EVENTS) {
      const rule = rules.find((r) => r.EventPattern?.['detail-type']?.[0] === event.detailType);
      expect(rule?.EventPattern, event.detailType).toEqual({
        source: [defaults[event.producer]],
        'detail-type': [event.detailType],
      });
      const customRule = customRules.find((r) => r.EventPattern?.['detail-type']?.[0] === event.detailType);
      expect(customRule?.EventPattern.source, event.detailType).toEqual([sources[event.producer]]);
    }
  });

  it("also matches the producer's account when one is configured (EventBridge sets it; it cannot be forged)", () => {
    const rules = resources('AWS::Events::Rule', custom()).map((r) => r.props);
    const created = rules.find((r) => r.EventPattern?.['detail-type']?.[0] === 'BookingCreated');
    const paid = rules.find((r) => r.EventPattern?.['detail-type']?.[0] === 'PaymentSucceeded');
    expect(created?.EventPattern.account).toEqual(['111111111111']);
    expect(paid?.EventPattern.account).toEqual(['222222222222']);
  });
});

describe('smaller trust items', () => {
  it("lets CloudWatch use the alarm topic's key only for alarms of this account", () => {
    const [key] = resources('AWS::KMS::Key');
    const statements = key?.props.KeyPolicy.Statement as Props[];
    const cloudwatch = statements.filter((s) =>
      JSON.stringify(s.Principal).includes('cloudwatch.amazonaws.com'),
    );
    expect(cloudwatch.length).toBeGreaterThan(0);
    for (const s of cloudwatch) {
      expect(s.Condition?.StringEquals?.['aws:SourceAccount'], JSON.stringify(s)).toBeDefined();
      expect(JSON.stringify(s.Condition?.ArnLike?.['aws:SourceArn'])).toContain(':alarm:');
    }
  });

  it('gives the reconciler no write permission while repair is off, and write + RECONCILE_REPAIR when on', () => {
    const writes = [
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:BatchWriteItem',
    ];
    const off = actionsOf(template, 'StatelessReconcile').actions;
    expect(off).not.toContain('dynamodb:Scan');
    for (const w of writes.filter((w) => w !== 'dynamodb:PutItem')) expect(off).not.toContain(w);
    // Its one write is its own checkpoints: AUDIT# keys only.
    for (const statement of statementsOf(template, 'StatelessReconcile') as (Props & {
      Condition?: Props;
    })[]) {
      if (![statement.Action].flat().includes('dynamodb:PutItem')) continue;
      expect(JSON.stringify(statement.Condition)).toContain('AUDIT#');
    }
    expect(envOf('StatelessReconcile').RECONCILE_REPAIR).toBeUndefined();
    const on = custom();
    expect(actionsOf(on, 'StatelessReconcile').actions).toEqual(expect.arrayContaining(writes));
    expect(envOf('StatelessReconcile', on).RECONCILE_REPAIR).toBe('true');
  });

  it('refuses a non-https issuer or JWKS URI for a deployment, except the local loopback issuer', () => {
    const config = (context: Record<string, string>) => readConfig(new App({ context }).node);
    expect(() => config({ jwtIssuer: 'http://idp.example.com', jwtAudience: 'api' })).toThrow(/https/);
    expect(() =>
      config({
        jwtIssuer: 'https://idp.example.com',
        jwtAudience: 'api',
        jwksUri: 'http://idp.example.com/k',
      }),
    ).toThrow(/https/);
    expect(config({ jwtIssuer: 'http://127.0.0.1:4566/_local/issuer', jwtAudience: 'api' }).jwtIssuer).toBe(
      'http://127.0.0.1:4566/_local/issuer',
    );
  });

  it('lets the functions discover the keys (no fixed JWKS path), or use the jwksUri context value', () => {
    expect(envOf('StatelessReservations').JWT_JWKS_URI).toBeUndefined();
    for (const fn of ['StatelessReservations', 'StatelessInventoryAdmin']) {
      expect(envOf(fn, custom()).JWT_JWKS_URI).toBe(CUSTOM.jwksUri);
    }
  });

  it('signs list cursors with a generated secret resolved into the read function only', () => {
    const secrets = resources('AWS::SecretsManager::Secret');
    const secret = secrets.find((s) => s.id.includes('CursorSigningKey'));
    expect(secret?.props.GenerateSecretString).toMatchObject({
      PasswordLength: 64,
      ExcludePunctuation: true,
    });
    const value = JSON.stringify(envOf('StatelessInventoryRead').CURSOR_SIGNING_KEY);
    expect(value).toContain('{{resolve:secretsmanager:');
    expect(value).toContain(secret?.id);
    for (const fn of resources('AWS::Lambda::Function')) {
      if (fn.id.startsWith('StatelessInventoryRead')) continue;
      expect(fn.props.Environment?.Variables?.CURSOR_SIGNING_KEY, fn.id).toBeUndefined();
    }
  });
});
