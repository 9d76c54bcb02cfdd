import { randomUUID } from 'node:crypto';
import { matchesPattern } from './event-pattern.ts';

export interface RuleTarget {
  id: string;
  /** Where matching events go: a queue (by name) or a function (by logical id). */
  kind: 'sqs' | 'lambda';
  name: string;
}

export interface LocalRule {
  logicalId: string;
  name: string;
  bus: string;
  pattern?: Record<string, unknown>;
  schedule?: string;
  enabled: boolean;
  targets: RuleTarget[];
}

export interface LoggedEvent {
  id: string;
  time: string;
  source: string;
  'detail-type': string;
  detail: unknown;
  bus: string;
  matches: string[];
  deliveries: {
    rule: string;
    target: string;
    kind: string;
    status: 'delivered' | 'failed';
    error?: string;
  }[];
}

export interface Deliverer {
  toQueue(queueName: string, body: string): Promise<void>;
  toFunction(logicalId: string, event: unknown): Promise<void>;
}

/**
 * The EventBridge emulator: PutEvents on named buses, rule matching with the documented
 * pattern syntax, delivery to SQS and Lambda targets, and a log of every event put.
 */
export class LocalEventBridge {
  readonly log: LoggedEvent[] = [];
  #listeners: ((event: LoggedEvent) => void)[] = [];

  constructor(
    readonly buses: Set<string>,
    readonly rules: LocalRule[],
    private readonly deliver: Deliverer,
  ) {}

  onEvent(listener: (event: LoggedEvent) => void) {
    this.#listeners.push(listener);
  }

  /** AWSEvents.PutEvents: returns the per-entry results like the service. */
  async putEvents(request: { Entries?: Record<string, unknown>[] }) {
    const entries = request.Entries ?? [];
    if (entries.length === 0 || entries.length > 10) {
      throw Object.assign(new Error('Entries must have 1 to 10 items'), { code: 'ValidationException' });
    }
    const results = await Promise.all(entries.map((entry) => this.#putOne(entry)));
    return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
  }

  async #putOne(
    entry: Record<string, unknown>,
  ): Promise<{ EventId: string } | { ErrorCode: string; ErrorMessage: string }> {
    const bus =
      String(entry.EventBusName ?? 'default')
        .split('/')
        .pop() ?? 'default';
    if (!this.buses.has(bus))
      return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${bus} does not exist.` };
    if (!entry.Source || !entry.DetailType || typeof entry.Detail !== 'string') {
      return {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: 'Parameters Source, DetailType and Detail are required.',
      };
    }
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail);
    } catch {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    if (!detail || typeof detail !== 'object' || Array.isArray(detail)) {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail must be a JSON object.' };
    }
    // The JSON protocol sends timestamps as epoch seconds.
    const time =
      typeof entry.Time === 'number'
        ? new Date(entry.Time * 1000)
        : entry.Time
          ? new Date(entry.Time as string)
          : new Date();
    const event = {
      version: '0',
      id: randomUUID(),
      'detail-type': String(entry.DetailType),
      source: String(entry.Source),
      account: '000000000000',
      time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: 'us-east-1',
      resources: (entry.Resources as string[] | undefined) ?? [],
      detail,
    };
    await this.dispatch(bus, event);
    return { EventId: event.id };
  }

  /** Matches an event against the bus's rules and delivers it; also used for schedules. */
  async dispatch(
    bus: string,
    event: { id: string; 'detail-type': string; source: string; time: string; detail: unknown },
  ) {
    const logged: LoggedEvent = {
      id: event.id,
      time: event.time,
      source: event.source,
      'detail-type': event['detail-type'],
      detail: event.detail,
      bus,
      matches: [],
      deliveries: [],
    };
    this.log.push(logged);
    const matching = this.rules.filter(
      (r) => r.enabled && r.bus === bus && r.pattern && matchesPattern(r.pattern, event),
    );
    for (const rule of matching) {
      logged.matches.push(rule.name);
      for (const target of rule.targets) {
        try {
          if (target.kind === 'sqs') await this.deliver.toQueue(target.name, JSON.stringify(event));
          else void this.deliver.toFunction(target.name, event);
          logged.deliveries.push({
            rule: rule.name,
            target: target.name,
            kind: target.kind,
            status: 'delivered',
          });
        } catch (error) {
          logged.deliveries.push({
            rule: rule.name,
            target: target.name,
            kind: target.kind,
            status: 'failed',
            error: error instanceof Error ? error.message : String(error),
          });
        }
      }
    }
    for (const listener of this.#listeners) listener(logged);
  }

  /** The event log, optionally filtered by the envelope's correlationId or bookingId. */
  query(filter: { correlationId?: string; bookingId?: string; detailType?: string }): LoggedEvent[] {
    return this.log.filter((e) => {
      const detail = e.detail as { metadata?: { correlationId?: string }; data?: { bookingId?: string } };
      return (
        (!filter.correlationId || detail?.metadata?.correlationId === filter.correlationId) &&
        (!filter.bookingId || detail?.data?.bookingId === filter.bookingId) &&
        (!filter.detailType || e['detail-type'] === filter.detailType)
      );
    });
  }
}
