import { existsSync, readFileSync } from 'node:fs';

/**
 * Stack outputs as `cdk deploy --outputs-file` writes them (`{ "<Stack>": { "<Output>": value } }`),
 * flattened: the CLIs read resource names from here, so they work the same against the
 * local cloud (.local/outputs.json), LocalStack or AWS.
 */
export function readOutputs(path = '.local/outputs.json'): Record<string, string> {
  if (!existsSync(path)) return {};
  const file = JSON.parse(readFileSync(path, 'utf8')) as Record<string, Record<string, string>>;
  return Object.assign({}, ...Object.values(file));
}

/** `--name value` or `--name=value` from argv. */
export function flag(args: readonly string[], name: string): string | undefined {
  const prefix = `--${name}=`;
  const inline = args.find((a) => a.startsWith(prefix));
  if (inline) return inline.slice(prefix.length);
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? args[index + 1] : undefined;
}
