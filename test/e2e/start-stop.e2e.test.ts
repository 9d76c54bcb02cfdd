import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { localAwsEnv } from '../support/aws-cli.ts';

/**
 * `npm start` as a newcomer runs it, in a shell with no AWS configuration: the banner links
 * the console, the CLIs find everything in .local/outputs.json, the terminal is free of
 * metrics noise, and SIGINT or SIGTERM sent to the npm process stop everything it started.
 */

const run = promisify(execFile);
const root = process.cwd();
const bin = resolve('node_modules/.bin');
/** A shell as a newcomer has it: no AWS variables, the project's Node first on the PATH. */
const cleanEnv = () => {
  const env = localAwsEnv();
  for (const key of ['AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'LOCAL_AWS_PORT'])
    delete env[key];
  return { ...env, PATH: `${bin}:${process.env.PATH}` };
};

function descendants(pid: number): number[] {
  const table = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number) as [number, number]);
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [child, parent] of table) if (parent === p) out.push(child), walk(child);
  };
  walk(pid);
  return out;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function startNpm(): Promise<{ npm: ChildProcess; output: () => string }> {
  const npm = spawn('npm', ['start'], { cwd: root, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  npm.stdout?.on('data', (d) => (output += d));
  npm.stderr?.on('data', (d) => (output += d));
  const deadline = Date.now() + 170_000;
  while (!/is up in/.test(output)) {
    if (npm.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
    if (Date.now() > deadline) throw new Error(`npm start did not come up:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { npm, output: () => output };
}

describe('npm start for a newcomer', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'comes up with the console in its banner, serves the CLIs, and stops on %s sent to npm',
    async (signal) => {
      const { npm, output } = await startNpm();
      const pids = descendants(npm.pid ?? 0);
      try {
        expect(output()).toContain('Console         http://127.0.0.1:4566/_local/console');
        expect((await fetch('http://127.0.0.1:4566/_local/console')).status).toBe(200);

        // A function invocation, then no metrics notice in the terminal.
        expect((await fetch('http://127.0.0.1:3000/health')).status).toBe(200);
        // `npm run audit` in a clean shell: region, endpoint and table from the outputs file.
        const audit = await run('npm', ['run', '-s', 'audit'], { cwd: root, env: cleanEnv() });
        expect(audit.stdout).toMatch(/checked \d+ items/);
        // A refused token: the terminal says why (API Gateway answers only 401).
        const refused = await fetch('http://127.0.0.1:3000/api/inventory/reserve', {
          method: 'POST',
          headers: { authorization: 'Bearer not-a-jwt', 'content-type': 'application/json' },
          body: '{}',
        });
        expect(refused.status).toBe(401);
        await new Promise((r) => setTimeout(r, 500));
        expect(output()).toMatch(/\[http api\] 401 POST \/api\/inventory\/reserve: token refused: /);
        expect(output()).not.toContain('No application metrics to publish');
      } finally {
        const exited = new Promise<number | null>((r) => npm.once('exit', (code) => r(code)));
        npm.kill(signal);
        const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 20_000))]);
        expect(code).toBe(0);
      }
      expect(output()).toContain(`${signal}: stopping`);
      // Every process npm start had started is gone (helpers such as esbuild exit on their own).
      const deadline = Date.now() + 5000;
      while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const left = pids.filter(alive).map((pid) => {
        try {
          return execFileSync('ps', ['-o', 'pid=,args=', '-p', String(pid)], { encoding: 'utf8' }).trim();
        } catch {
          return String(pid);
        }
      });
      expect(left).toEqual([]);
      await expect(fetch('http://127.0.0.1:4566/_local/health')).rejects.toThrow();
    },
    240_000,
  );
});

describe('npm run token', () => {
  it('signs for the issuer in .local/outputs.json, whatever port the cloud runs on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'token-'));
    mkdirSync(join(dir, '.local'));
    const issuer = 'http://127.0.0.1:6566/_local/issuer';
    writeFileSync(join(dir, '.local', 'outputs.json'), JSON.stringify({ Stack: { JwtIssuer: issuer } }));
    const { stdout } = await run(
      join(bin, 'tsx'),
      [join(root, 'local/cli/token.ts'), '--scopes', 'inventory/write'],
      {
        cwd: dir,
        env: cleanEnv(),
      },
    );
    const payload = JSON.parse(Buffer.from(stdout.trim().split('.')[1] ?? '', 'base64url').toString());
    expect(payload).toMatchObject({ iss: issuer, scope: 'inventory/write' });
  });

  it('says what to do when no cloud has written its outputs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'token-'));
    const failed = await run(join(bin, 'tsx'), [join(root, 'local/cli/token.ts')], {
      cwd: dir,
      env: cleanEnv(),
    }).catch((e: { code: number; stderr: string }) => e);
    expect(failed).toMatchObject({ code: 2, stderr: expect.stringContaining('npm start') });
  });
});
