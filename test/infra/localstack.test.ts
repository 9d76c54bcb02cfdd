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

  it('has a valid compose file exposing the edge port and every service the stack uses', () => {
    const localstack = compose.services.localstack;
    expect(localstack?.image).toMatch(/^localstack\/localstack:/);
    expect(localstack?.ports).toContain('127.0.0.1:4566:4566');
    const services = String(localstack?.environment.SERVICES).split(',');
    for (const service of [
      'cloudformation',
      'lambda',
      'dynamodb',
      'sqs',
      'events',
      'apigateway',
      'cognito-idp',
      'iam',
      's3',
    ]) {
      expect(services).toContain(service);
    }
  });

  it('synthesizes with cdklocal, offline', async () => {
    const out = mkdtempSync(join(tmpdir(), 'cdklocal-'));
    await promisify(execFile)('node_modules/.bin/cdklocal', ['synth', '--quiet', '-o', out], {
      // The project's bin first, as npm scripts have it (cdk runs `tsx infra/app.ts`).
      env: {
        ...process.env,
        PATH: `${join(process.cwd(), 'node_modules/.bin')}:${process.env.PATH}`,
        CDK_DISABLE_VERSION_CHECK: '1',
      },
    });
    const { template } = readAssembly(out);
    expect(Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function')).toHaveLength(
      10,
    );
  }, 120_000);
});
