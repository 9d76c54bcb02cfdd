import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The AWS CLI v2 the e2e suite drives: Debian's `awscli` package (/usr/bin/aws, 2.9,
 * which still speaks SQS's query protocol), else any `aws` v2 on the PATH. Undefined
 * when none is installed (the tests then skip, saying so).
 */
export const awsCliV2: string | undefined = ['/usr/bin/aws', 'aws'].find((candidate) => {
  try {
    return execFileSync(candidate, ['--version'], { encoding: 'utf8', stdio: 'pipe' }).startsWith(
      'aws-cli/2',
    );
  } catch {
    return false;
  }
});

export const MISSING_AWS_CLI = 'AWS CLI v2 not found: apt-get install awscli (the CI script does)';

/** A clean AWS environment for the local cloud: no profile, local credentials and region. */
export const localAwsEnv = (): NodeJS.ProcessEnv => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_'))),
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_PAGER: '',
});

export interface CliResult {
  code: number;
  json: any;
  stdout: string;
  stderr: string;
}

/** Runs `aws --endpoint-url <edge> --output json <args…>`; never throws on a non-zero exit. */
export async function aws(endpoint: string, ...args: string[]): Promise<CliResult> {
  if (!awsCliV2) throw new Error(MISSING_AWS_CLI);
  try {
    const { stdout, stderr } = await run(
      awsCliV2,
      ['--endpoint-url', endpoint, '--output', 'json', ...args],
      {
        env: localAwsEnv(),
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    return { code: 0, json: stdout.trim() ? JSON.parse(stdout) : undefined, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: Number(e.code ?? 1), json: undefined, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
