import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACCOUNT_ID, REGION } from './aws-account.ts';

/** A CloudFormation resource as synthesized. */
export interface Resource {
  Type: string;
  Properties?: Record<string, any>;
}

export interface CloudAssembly {
  dir: string;
  stackName: string;
  template: { Resources: Record<string, Resource>; Outputs?: Record<string, { Value: unknown }> };
}

const SOURCES = ['infra', 'functions', 'shared', 'events', 'cdk.json', 'package-lock.json'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((entry) => newestMtime(join(path, entry))));
}

/**
 * Synthesizes the CDK app for the local cloud (context: the local JWT issuer) into
 * `outdir`, unless it is newer than every source, and reads the stack template.
 */
export function synthesize(options: {
  root: string;
  outdir: string;
  context: Record<string, string>;
  force?: boolean;
}): CloudAssembly {
  const manifest = join(options.root, options.outdir, 'manifest.json');
  const stale =
    options.force ||
    !existsSync(manifest) ||
    Math.max(...SOURCES.map((s) => newestMtime(join(options.root, s)))) > statSync(manifest).mtimeMs ||
    JSON.stringify(options.context) !== readStamp(join(options.root, options.outdir));
  if (stale) {
    const args = ['synth', '--quiet', '-o', options.outdir];
    for (const [k, v] of Object.entries(options.context)) args.push('-c', `${k}=${v}`);
    // Bundling chatter goes to stderr; it is shown only if synthesis fails (in the thrown error).
    execFileSync(join(options.root, 'node_modules', '.bin', 'cdk'), args, {
      cwd: options.root,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        ...process.env,
        PATH: `${join(options.root, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`,
        CDK_DISABLE_VERSION_CHECK: '1',
      },
    });
    writeStamp(join(options.root, options.outdir), JSON.stringify(options.context));
  }
  return readAssembly(join(options.root, options.outdir));
}

const stampFile = (dir: string) => join(dir, 'local-context.json');
function readStamp(dir: string): string | undefined {
  return existsSync(stampFile(dir)) ? readFileSync(stampFile(dir), 'utf8') : undefined;
}
function writeStamp(dir: string, value: string) {
  writeFileSync(stampFile(dir), value);
}

/** Reads the one stack of a cloud assembly. */
export function readAssembly(dir: string): CloudAssembly {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
    artifacts: Record<string, { type: string; properties?: { templateFile?: string } }>;
  };
  const stacks = Object.entries(manifest.artifacts).filter(([, a]) => a.type === 'aws:cloudformation:stack');
  const [stackName, stack] = stacks[0] ?? [];
  if (!stackName || !stack?.properties?.templateFile) throw new Error(`No stack in ${dir}`);
  const template = JSON.parse(readFileSync(join(dir, stack.properties.templateFile), 'utf8'));
  return { dir, stackName, template };
}

/** Local values of the pseudo parameters. */
export const PSEUDO = {
  'AWS::Region': REGION,
  'AWS::AccountId': ACCOUNT_ID,
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::NoValue': undefined,
} as Record<string, unknown>;

/** What `Ref` and `Fn::GetAtt` of each logical id resolve to locally. */
export interface LocalRefs {
  ref(logicalId: string): unknown;
  getAtt(logicalId: string, attribute: string): unknown;
}

/** Resolves Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select, Fn::Split, Fn::If (false) in a value. */
export function resolve(value: unknown, refs: LocalRefs, stackName: string): unknown {
  const pseudo: Record<string, unknown> = {
    ...PSEUDO,
    'AWS::StackName': stackName,
    'AWS::StackId': `arn:aws:cloudformation:${REGION}:${ACCOUNT_ID}:stack/${stackName}/local`,
  };
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!v || typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1) {
      const [key] = keys as [string];
      const arg = o[key];
      if (key === 'Ref') {
        const name = String(arg);
        return name in pseudo ? pseudo[name] : refs.ref(name);
      }
      if (key === 'Fn::GetAtt') {
        const [id, attr] = Array.isArray(arg) ? arg : String(arg).split('.');
        return refs.getAtt(String(id), String(attr));
      }
      if (key === 'Fn::Join') {
        const [sep, parts] = arg as [string, unknown[]];
        return (walk(parts) as unknown[]).join(sep);
      }
      if (key === 'Fn::Select') {
        const [index, list] = arg as [number, unknown];
        return (walk(list) as unknown[])[Number(walk(index))];
      }
      if (key === 'Fn::Split') {
        const [sep, text] = arg as [string, unknown];
        return String(walk(text)).split(sep);
      }
      if (key === 'Fn::Sub') {
        const [text, vars] = Array.isArray(arg)
          ? (arg as [string, Record<string, unknown>])
          : [String(arg), {}];
        return text.replace(/\$\{([^}]+)\}/g, (_m, name: string) => {
          if (name in vars) return String(walk(vars[name]));
          if (name in pseudo) return String(pseudo[name]);
          const [id, attr] = name.split('.');
          return String(attr ? refs.getAtt(String(id), attr) : refs.ref(String(id)));
        });
      }
      if (key === 'Fn::If') {
        const [, , whenFalse] = arg as [string, unknown, unknown];
        return walk(whenFalse);
      }
      if (key === 'Fn::ImportValue') throw new Error('Fn::ImportValue is not supported by the local cloud');
    }
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, walk(x)]));
  };
  return walk(value);
}
