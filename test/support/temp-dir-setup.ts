import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * One temporary directory for the whole run, removed when it ends: every `os.tmpdir()` of a
 * test, of a process a test starts (`npm start`, the AWS CLI, Chromium) and of the CDK (an `App`
 * without `outdir` synthesizes into a fresh `cdk.out*` directory, up to 11 MB each) is inside it,
 * through `TMPDIR`. Without it a run left about twenty such directories behind in /tmp.
 */
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'inventory-tests-'));
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(dir, { recursive: true, force: true });
  };
}
