import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { localArn } from './aws-account.ts';
import type { LocalLogs } from './logs.ts';

export interface FunctionConfig {
  logicalId: string;
  functionName: string;
  /** Absolute path of the bundled module and the exported handler name. */
  codePath: string;
  exportName: string;
  timeoutSeconds: number;
  memorySize: number;
  environment: Record<string, string>;
}

/** An invocation that did not return normally, as Lambda reports it. */
export class InvocationError extends Error {
  override name = 'InvocationError';
  constructor(
    message: string,
    readonly errorType: string,
  ) {
    super(message);
  }
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** One execution environment: a worker thread running the function's bundle. */
class Environment {
  readonly worker: Worker;
  readonly #pending = new Map<string, Pending>();
  dead = false;

  constructor(
    readonly config: FunctionConfig,
    baseEnv: Record<string, string>,
    logs: LocalLogs | undefined,
  ) {
    this.worker = new Worker(new URL('./lambda-worker.mjs', import.meta.url), {
      env: { ...baseEnv, ...config.environment },
      workerData: {
        codePath: config.codePath,
        exportName: config.exportName,
        functionName: config.functionName,
        memoryLimitInMB: config.memorySize,
        functionArn: localArn('lambda', `function:${config.functionName}`),
      },
      // A Lambda environment gets no parent flags (e.g. a TypeScript loader).
      execArgv: ['--enable-source-maps'],
      resourceLimits: { maxOldGenerationSizeMb: Math.max(64, config.memorySize) },
    });
    this.worker.on(
      'message',
      (message: {
        type?: 'log';
        id: string | null;
        ok?: boolean;
        result?: unknown;
        error?: { name: string; message: string };
        text?: string;
      }) => {
        if (message.type === 'log') {
          logs?.write(config.functionName, message.id, message.text ?? '');
          return;
        }
        if (message.id === null) return;
        const pending = this.#pending.get(message.id);
        if (!pending) return;
        this.#pending.delete(message.id);
        clearTimeout(pending.timer);
        if (message.ok) pending.resolve(message.result);
        else
          pending.reject(
            new InvocationError(message.error?.message ?? 'error', message.error?.name ?? 'Error'),
          );
      },
    );
    this.worker.on('error', (error) => this.#fail(new InvocationError(error.message, 'Runtime.ExitError')));
    this.worker.on('exit', () => this.#fail(new InvocationError('Runtime exited', 'Runtime.ExitError')));
  }

  invoke(id: string, event: unknown): Promise<unknown> {
    const timeoutMs = this.config.timeoutSeconds * 1000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(
          new InvocationError(
            `Task timed out after ${this.config.timeoutSeconds.toFixed(2)} seconds`,
            'Sandbox.Timedout',
          ),
        );
        // Like Lambda, a timed-out environment is not reused.
        void this.stop();
      }, timeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
      this.worker.postMessage({ id, event, requestId: id, deadline: Date.now() + timeoutMs });
    });
  }

  #fail(error: Error) {
    this.dead = true;
    for (const [id, pending] of this.#pending) {
      clearTimeout(pending.timer);
      pending.reject(error);
      this.#pending.delete(id);
    }
  }

  async stop() {
    this.dead = true;
    await this.worker.terminate();
  }
}

/**
 * A function's pool of execution environments: each invocation gets an idle environment
 * or a new one (a cold start), up to `maxEnvironments`; beyond that invocations wait.
 */
export class LocalFunction {
  readonly #idle: Environment[] = [];
  readonly #all = new Set<Environment>();
  readonly #waiting: (() => void)[] = [];
  invocations = 0;
  coldStarts = 0;

  constructor(
    readonly config: FunctionConfig,
    readonly baseEnv: Record<string, string>,
    readonly maxEnvironments = 10,
    readonly logs?: LocalLogs,
  ) {
    logs?.register(config.functionName);
  }

  /** Runs one invocation; `trigger` says what invoked it (recorded with its logs). */
  async invoke(event: unknown, trigger = 'direct', requestId: string = randomUUID()): Promise<unknown> {
    const { env, cold } = await this.#acquire();
    this.invocations++;
    this.logs?.started(
      { requestId, functionName: this.config.functionName, trigger, startedAt: Date.now(), coldStart: cold },
      event,
    );
    try {
      const result = await env.invoke(requestId, event);
      this.logs?.finished(requestId, {});
      return result;
    } catch (error) {
      const type = error instanceof InvocationError ? error.errorType : 'Error';
      this.logs?.finished(requestId, { error: { type, message: (error as Error).message } });
      throw error;
    } finally {
      this.#release(env);
    }
  }

  async #acquire(): Promise<{ env: Environment; cold: boolean }> {
    for (;;) {
      const idle = this.#idle.pop();
      if (idle && !idle.dead) return { env: idle, cold: false };
      if (this.#all.size < this.maxEnvironments) {
        const env = new Environment(this.config, this.baseEnv, this.logs);
        this.#all.add(env);
        this.coldStarts++;
        return { env, cold: true };
      }
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
  }

  #release(env: Environment) {
    if (env.dead) this.#all.delete(env);
    else this.#idle.push(env);
    this.#waiting.shift()?.();
  }

  async stop() {
    await Promise.all([...this.#all].map((env) => env.stop()));
    this.#all.clear();
    this.#idle.length = 0;
  }
}
