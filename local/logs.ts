import { randomUUID } from 'node:crypto';
import { localArn } from './aws-account.ts';
import { AwsError, unknownOperation } from './aws-protocol.ts';

/** One line a function wrote, as CloudWatch Logs stores it. */
export interface LogLine {
  eventId: string;
  logGroupName: string;
  logStreamName: string;
  functionName: string;
  requestId: string | null;
  timestamp: number;
  message: string;
}

/** One function invocation, with the ids of the bookings it worked on. */
export interface InvocationRecord {
  requestId: string;
  functionName: string;
  /** What invoked it: `http`, `sqs:<queue>`, `events:<rule>`, `schedule:<rule>`, `lambda:Invoke`. */
  trigger: string;
  startedAt: number;
  durationMs?: number;
  coldStart: boolean;
  status: 'running' | 'succeeded' | 'failed';
  error?: { type: string; message: string };
  correlationIds: string[];
  bookingIds: string[];
}

/** How many lines and invocations the local cloud keeps (oldest dropped first). */
export const LOG_RETENTION = { lines: 50_000, invocations: 10_000 } as const;

/**
 * The local CloudWatch Logs: every line the functions write (grouped as
 * `/aws/lambda/<function>` like Lambda does), every invocation with the correlation and
 * booking ids seen in its event and log lines, and `FilterLogEvents` over them.
 */
export class LocalLogs {
  readonly lines: LogLine[] = [];
  readonly invocations: InvocationRecord[] = [];
  readonly #byRequest = new Map<string, InvocationRecord>();
  readonly #listeners: ((line: LogLine) => void)[] = [];

  onLine(listener: (line: LogLine) => void): void {
    this.#listeners.push(listener);
  }

  /** Lambda's log group of a function. */
  static groupOf(functionName: string): string {
    return `/aws/lambda/${functionName}`;
  }

  started(record: Omit<InvocationRecord, 'status' | 'correlationIds' | 'bookingIds'>, event: unknown) {
    const ids = idsIn(event);
    const full: InvocationRecord = { ...record, status: 'running', ...ids };
    this.invocations.push(full);
    this.#byRequest.set(full.requestId, full);
    if (this.invocations.length > LOG_RETENTION.invocations) {
      const dropped = this.invocations.shift();
      if (dropped) this.#byRequest.delete(dropped.requestId);
    }
    this.write(
      record.functionName,
      record.requestId,
      `START RequestId: ${record.requestId} Version: $LATEST`,
    );
  }

  finished(requestId: string, outcome: { error?: { type: string; message: string } }) {
    const record = this.#byRequest.get(requestId);
    if (!record) return;
    record.durationMs = Date.now() - record.startedAt;
    record.status = outcome.error ? 'failed' : 'succeeded';
    if (outcome.error) {
      record.error = outcome.error;
      this.write(
        record.functionName,
        requestId,
        JSON.stringify({ errorType: outcome.error.type, errorMessage: outcome.error.message }),
      );
    }
    this.write(record.functionName, requestId, `END RequestId: ${requestId}`);
    this.write(
      record.functionName,
      requestId,
      `REPORT RequestId: ${requestId}\tDuration: ${record.durationMs.toFixed(2)} ms${record.coldStart ? '\t(cold start)' : ''}`,
    );
  }

  /** Appends what a function wrote (may hold several lines). */
  write(functionName: string, requestId: string | null, text: string) {
    for (const message of text.split('\n')) {
      if (message.trim() === '') continue;
      const line: LogLine = {
        eventId: randomUUID(),
        logGroupName: LocalLogs.groupOf(functionName),
        logStreamName: `local/${functionName}`,
        functionName,
        requestId,
        timestamp: Date.now(),
        message,
      };
      this.lines.push(line);
      if (this.lines.length > LOG_RETENTION.lines) this.lines.shift();
      const record = requestId ? this.#byRequest.get(requestId) : undefined;
      if (record && message.startsWith('{')) {
        const ids = idsIn(safeJson(message));
        record.correlationIds = union(record.correlationIds, ids.correlationIds);
        record.bookingIds = union(record.bookingIds, ids.bookingIds);
      }
      for (const listener of this.#listeners) listener(line);
    }
  }

  /** Invocations and log lines of one correlation id or booking id, oldest first. */
  trail(filter: { correlationId?: string; bookingId?: string }) {
    const invocations = this.invocations.filter(
      (i) =>
        (filter.correlationId && i.correlationIds.includes(filter.correlationId)) ||
        (filter.bookingId && i.bookingIds.includes(filter.bookingId)),
    );
    const requestIds = new Set(invocations.map((i) => i.requestId));
    const lines = this.lines.filter((l) => l.requestId !== null && requestIds.has(l.requestId));
    return { invocations, lines };
  }

  /** The Logs_20140328.* operations the edge serves; any other is refused naming it. */
  handle(operation: string, input: Record<string, any>): unknown {
    switch (operation) {
      case 'FilterLogEvents':
        return this.filterLogEvents(input);
      case 'DescribeLogGroups':
        return {
          logGroups: this.logGroups()
            .filter((g) => !input.logGroupNamePrefix || g.startsWith(input.logGroupNamePrefix))
            .map((logGroupName) => ({
              logGroupName,
              arn: localArn('logs', `log-group:${logGroupName}:*`),
              creationTime: this.#created,
              storedBytes: 0,
            })),
        };
      default:
        throw unknownOperation('CloudWatch Logs', operation);
    }
  }

  readonly #created = Date.now();

  /** Logs_20140328.FilterLogEvents: one log group, time range, filter pattern, paging. */
  filterLogEvents(request: {
    logGroupName?: string;
    logGroupIdentifier?: string;
    logStreamNames?: string[];
    logStreamNamePrefix?: string;
    startTime?: number;
    endTime?: number;
    filterPattern?: string;
    limit?: number;
    nextToken?: string;
  }) {
    const group = request.logGroupName ?? request.logGroupIdentifier?.split(':log-group:').pop();
    if (!group)
      throw new AwsError('InvalidParameterException', 'logGroupName or logGroupIdentifier is required');
    if (!this.logGroups().includes(group))
      throw new AwsError('ResourceNotFoundException', 'The specified log group does not exist.');
    const matches = compileFilterPattern(request.filterPattern ?? '');
    const limit = Math.min(Math.max(request.limit ?? 10_000, 1), 10_000);
    const start = request.nextToken ? Number(Buffer.from(request.nextToken, 'base64url').toString()) : 0;
    if (!Number.isInteger(start) || start < 0)
      throw new AwsError('InvalidParameterException', 'The specified nextToken is invalid.');
    const selected = this.lines.filter(
      (l) =>
        l.logGroupName === group &&
        (!request.logStreamNames || request.logStreamNames.includes(l.logStreamName)) &&
        (!request.logStreamNamePrefix || l.logStreamName.startsWith(request.logStreamNamePrefix)) &&
        (request.startTime === undefined || l.timestamp >= request.startTime) &&
        (request.endTime === undefined || l.timestamp <= request.endTime) &&
        matches(l.message),
    );
    const page = selected.slice(start, start + limit);
    return {
      events: page.map((l) => ({
        logStreamName: l.logStreamName,
        timestamp: l.timestamp,
        ingestionTime: l.timestamp,
        message: l.message,
        eventId: l.eventId,
      })),
      searchedLogStreams: [],
      ...(start + limit < selected.length
        ? { nextToken: Buffer.from(String(start + limit)).toString('base64url') }
        : {}),
    };
  }

  readonly #groups = new Set<string>();
  /** Creates a function's log group (before it logs anything, as CDK does). */
  register(functionName: string): void {
    this.#groups.add(LocalLogs.groupOf(functionName));
  }
  logGroups(): string[] {
    return [...this.#groups].sort();
  }
}

/**
 * A CloudWatch Logs filter pattern as a predicate over one message: an empty pattern,
 * terms (`ERROR timeout`, `"exact phrase"`, `-excluded`, `?either ?or`) or a JSON pattern
 * (`{ $.correlationId = "abc" && $.level != "INFO" }`, with `=`, `!=`, `<`, `<=`, `>`, `>=`,
 * `*` wildcards in strings, `||`, parentheses, `EXISTS`, `NOT EXISTS`, `IS NULL`).
 * Space-delimited patterns (`[ip, user, ...]`) are refused as not emulated.
 */
export function compileFilterPattern(pattern: string): (message: string) => boolean {
  const text = pattern.trim();
  if (text === '') return () => true;
  if (text.startsWith('{')) return compileJsonPattern(text);
  if (text.startsWith('['))
    throw new AwsError(
      'InvalidParameterException',
      'Space-delimited filter patterns are not emulated locally',
    );
  const terms = [...text.matchAll(/([?-]?)(?:"((?:[^"\\]|\\.)*)"|(\S+))/g)].map((m) => ({
    kind: m[1] ?? '',
    value: m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? ''),
  }));
  const optional = terms.filter((t) => t.kind === '?');
  if (optional.length > 0) return (message) => optional.some((t) => message.includes(t.value));
  return (message) =>
    terms.every((t) => (t.kind === '-' ? !message.includes(t.value) : message.includes(t.value)));
}

type Node =
  | { op: 'and' | 'or'; left: Node; right: Node }
  | { op: 'cmp'; path: string[]; cmp: string; value: string | number | boolean | null; quoted: boolean }
  | { op: 'exists'; path: string[]; negate: boolean }
  | { op: 'null'; path: string[] };

function compileJsonPattern(text: string): (message: string) => boolean {
  const invalid = (why: string) =>
    new AwsError('InvalidParameterException', `Invalid filter pattern: ${why}`);
  if (!text.endsWith('}')) throw invalid('missing closing brace');
  const tokens = [
    ...text
      .slice(1, -1)
      .matchAll(
        /\s*("(?:[^"\\]|\\.)*"|&&|\|\||!=|<=|>=|=|<|>|\(|\)|\$(?:\.[\w-]+|\[\d+\])+|[^\s()=!<>&|]+)/g,
      ),
  ].map((m) => m[1] ?? '');
  let at = 0;
  const peek = () => tokens[at];
  const next = () => {
    const token = tokens[at++];
    if (token === undefined) throw invalid('unexpected end');
    return token;
  };
  const parsePath = (token: string) => {
    if (!token.startsWith('$')) throw invalid(`expected a selector such as $.field, got ${token}`);
    return [...token.matchAll(/\.([\w-]+)|\[(\d+)\]/g)].map((m) => m[1] ?? m[2] ?? '');
  };
  const primary = (): Node => {
    if (peek() === '(') {
      next();
      const inner = or();
      if (next() !== ')') throw invalid('missing )');
      return inner;
    }
    const path = parsePath(next());
    const op = next();
    if (op.toUpperCase() === 'NOT' && next().toUpperCase() === 'EXISTS')
      return { op: 'exists', path, negate: true };
    if (op.toUpperCase() === 'EXISTS') return { op: 'exists', path, negate: false };
    if (op.toUpperCase() === 'IS' && next().toUpperCase() === 'NULL') return { op: 'null', path };
    if (!['=', '!=', '<', '<=', '>', '>='].includes(op)) throw invalid(`unknown operator ${op}`);
    const raw = next();
    const quoted = raw.startsWith('"');
    const value = quoted
      ? raw.slice(1, -1).replace(/\\(.)/g, '$1')
      : raw === 'true' || raw === 'false'
        ? raw === 'true'
        : raw === 'null'
          ? null
          : Number.isFinite(Number(raw))
            ? Number(raw)
            : raw;
    if (['<', '<=', '>', '>='].includes(op) && typeof value !== 'number')
      throw invalid(`${op} needs a number`);
    return { op: 'cmp', path, cmp: op, value, quoted };
  };
  const and = (): Node => {
    let left = primary();
    while (peek() === '&&') {
      next();
      left = { op: 'and', left, right: primary() };
    }
    return left;
  };
  const or = (): Node => {
    let left = and();
    while (peek() === '||') {
      next();
      left = { op: 'or', left, right: and() };
    }
    return left;
  };
  const tree = or();
  if (at !== tokens.length) throw invalid(`unexpected ${peek()}`);
  return (message) => {
    const json = safeJson(message);
    return json !== undefined && typeof json === 'object' && evaluate(tree, json);
  };
}

function evaluate(node: Node, json: unknown): boolean {
  switch (node.op) {
    case 'and':
      return evaluate(node.left, json) && evaluate(node.right, json);
    case 'or':
      return evaluate(node.left, json) || evaluate(node.right, json);
    case 'exists':
      return (select(json, node.path) !== undefined) !== node.negate;
    case 'null':
      return select(json, node.path) === null;
    case 'cmp': {
      const actual = select(json, node.path);
      if (actual === undefined) return false;
      const equal =
        typeof node.value === 'string' && typeof actual === 'string'
          ? wildcard(node.value).test(actual)
          : actual === node.value ||
            (typeof actual !== 'object' && String(actual) === String(node.value) && !node.quoted);
      if (node.cmp === '=') return equal;
      if (node.cmp === '!=') return !equal;
      if (typeof actual !== 'number' || typeof node.value !== 'number') return false;
      return {
        '<': actual < node.value,
        '<=': actual <= node.value,
        '>': actual > node.value,
        '>=': actual >= node.value,
      }[node.cmp as '<'];
    }
  }
}

function select(json: unknown, path: string[]): unknown {
  let value = json;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function wildcard(value: string): RegExp {
  return new RegExp(
    `^${value
      .split('*')
      .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}

function safeJson(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? '');
  } catch {
    return undefined;
  }
}

const union = (a: string[], b: string[]) => [...new Set([...a, ...b])];

/**
 * The correlation and booking ids an event or log line carries: EventBridge envelopes
 * (`detail.metadata.correlationId`, `detail.data.bookingId`), SQS records holding them,
 * HTTP events (`x-correlation-id`, a `bookingId` path parameter or body field) and
 * structured log lines (`correlationId`, `bookingId` keys).
 */
export function idsIn(value: unknown): { correlationIds: string[]; bookingIds: string[] } {
  const correlationIds = new Set<string>();
  const bookingIds = new Set<string>();
  const visit = (v: unknown, depth: number) => {
    if (depth > 6 || v === null || typeof v !== 'object') return;
    const o = v as Record<string, any>;
    if (Array.isArray(o.Records)) for (const r of o.Records) visit(safeJson(r?.body) ?? r, depth + 1);
    if (typeof o.correlationId === 'string') correlationIds.add(o.correlationId);
    if (typeof o.bookingId === 'string') bookingIds.add(o.bookingId);
    if (typeof o.headers?.['x-correlation-id'] === 'string')
      correlationIds.add(o.headers['x-correlation-id']);
    if (typeof o.body === 'string' && o.body.startsWith('{')) visit(safeJson(o.body), depth + 1);
    for (const key of ['detail', 'metadata', 'data', 'pathParameters']) visit(o[key], depth + 1);
  };
  visit(value, 0);
  return { correlationIds: [...correlationIds], bookingIds: [...bookingIds] };
}
