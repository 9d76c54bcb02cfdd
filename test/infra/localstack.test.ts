import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readAssembly } from '../../local/template.ts';

/** What can be checked of the LocalStack path without Docker: the compose file and a cdklocal synth. */
describe('LocalStack path', () => {
  const compose = parse(readFileSync('localstack-compose.yml', 'utf8')) as {
    services: Record<string, { image: string; ports: string[]; environment: Record<string, string> }>;
  };

  it('has a valid compose file: pinned image, auth token passed, the services the LocalStack shape uses', () => {
    const localstack = compose.services.localstack;
    // A release, not a moving tag (latest, a bare major): LocalStack changes between releases.
    expect(localstack?.image).toMatch(/^localstack\/localstack:\d+\.\d+\.\d+$/);
    expect(localstack?.ports).toContain('127.0.0.1:4566:4566');
    // Current images refuse to start without a token; compose fails fast when it is unset.
    expect(localstack?.environment.LOCALSTACK_AUTH_TOKEN).toMatch(/^\$\{LOCALSTACK_AUTH_TOKEN:\?.+\}$/);
    const services = String(localstack?.environment.SERVICES).split(',');
    for (const service of [
      'cloudformation',
      'lambda',
      'dynamodb',
      'sqs',
      'events',
      'apigateway',
      'iam',
      's3',
    ]) {
      expect(services).toContain(service);
    }
    // The LocalStack shape has no Cognito pool and no schema registry (see deploy-readiness.test.ts).
    expect(services).not.toContain('cognito-idp');
    expect(services).not.toContain('schemas');
  });

  it('deploys the LocalStack shape through the npm scripts', () => {
    const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> })
      .scripts;
    expect(scripts['localstack:deploy']).toContain('-c target=localstack');
    expect(scripts['localstack:synth']).toContain('-c target=localstack');
  });

  it('synthesizes the LocalStack shape with cdklocal, offline', async () => {
    const out = mkdtempSync(join(tmpdir(), 'cdklocal-'));
    const shape = [
      '-c',
      'target=localstack',
      '-c',
      'jwtIssuer=https://issuer.example.com',
      '-c',
      'jwtAudience=api',
    ];
    await promisify(execFile)('node_modules/.bin/cdklocal', ['synth', '--quiet', '-o', out, ...shape], {
      // The project's bin first, as npm scripts have it (cdk runs `tsx infra/app.ts`).
      env: {
        ...process.env,
        PATH: `${join(process.cwd(), 'node_modules/.bin')}:${process.env.PATH}`,
        CDK_DISABLE_VERSION_CHECK: '1',
      },
    });
    const { template } = readAssembly(out);
    const types = Object.values(template.Resources).map((r) => r.Type);
    expect(types.filter((t) => t === 'AWS::Lambda::Function')).toHaveLength(12);
    expect(types).not.toContain('AWS::Cognito::UserPool');
    expect(types).not.toContain('AWS::EventSchemas::Registry');
  }, 300_000);
});
