import { randomUUID } from 'node:crypto';
import { ACCOUNT_ID, awsTime, localArn, REGION } from './aws-account.ts';
import { AwsError, unknownOperation } from './aws-protocol.ts';
import { InvalidEventPatternError, matchesPattern, type Pattern, validatePattern } from './event-pattern.ts';

/** EventBridge's limit on one PutEvents entry (Time, Source, DetailType, Detail, Resources), in bytes. */
export const PUT_EVENTS_ENTRY_MAX_BYTES = 256 * 1024;
/** How many entries one PutEvents call may carry. */
export const PUT_EVENTS_MAX_ENTRIES = 10;

/** An entry's size as EventBridge computes it ("Calculating PutEvents event entry size"). */
export function putEventsEntrySize(entry: Record<string, unknown>): number {
  const bytes = (v: unknown) => (typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : 0);
  return (
    (entry.Time !== undefined ? 14 : 0) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    (Array.isArray(entry.Resources) ? entry.Resources.reduce((n: number, r) => n + bytes(r), 0) : 0)
  );
}

export interface RuleTarget {
  id: string;
  /** Where matching events go: a queue (by name) or a function (by logical id). */
  kind: 'sqs' | 'lambda';
  name: string;
  /** The target's ARN as the template gives it (ListTargetsByRule). */
  arn?: string;
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
  /** When the local bus received it, in ms (the envelope's time has whole seconds). */
  receivedAt: number;
  matches: string[];
  deliveries: {
    rule: string;
    target: string;
    kind: string;
    status: 'delivered' | 'failed';
    error?: string;
  }[];
}

/**
 * A fault injected into the local bus (local tooling only, never in AWS): PutEvents entries
 * whose event matches `pattern` are refused, per entry, with `errorCode`, as EventBridge
 * refuses an entry it cannot take. The publisher sees a partly failed PutEvents and the
 * change stays owed.
 */
export interface PutEventsFault {
  id: string;
  pattern: Pattern;
  errorCode: string;
  /** Every entry refused so far: its envelope's `metadata.eventId` and detail-type, and when. */
  refused: { eventId?: string; detailType: string; at: number }[];
}

export interface Deliverer {
  toQueue(queueName: string, body: string): Promise<void>;
  toFunction(logicalId: string, event: unknown, ruleName: string): Promise<void>;
}

/**
 * The EventBridge emulator: PutEvents on named buses, rule matching with the documented
 * pattern syntax, delivery to SQS and Lambda targets, and a log of every event put.
 */
export class LocalEventBridge {
  readonly log: LoggedEvent[] = [];
  #listeners: ((event: LoggedEvent) => void)[] = [];
  #faults: PutEventsFault[] = [];

  constructor(
    readonly buses: Set<string>,
    readonly rules: LocalRule[],
    private readonly deliver: Deliverer,
  ) {}

  onEvent(listener: (event: LoggedEvent) => void) {
    this.#listeners.push(listener);
  }

  /** Refuses the PutEvents entries whose event matches `pattern` until the fault is lifted. */
  injectFault(pattern: unknown, errorCode = 'InternalFailure'): PutEventsFault {
    validatePattern(pattern);
    const fault: PutEventsFault = { id: randomUUID(), pattern, errorCode, refused: [] };
    this.#faults.push(fault);
    return fault;
  }

  /** Lifts every injected fault; returns them with what they refused. */
  liftFaults(): PutEventsFault[] {
    return this.#faults.splice(0);
  }

  get faults(): readonly PutEventsFault[] {
    return this.#faults;
  }

  /** AWSEvents.PutEvents: returns the per-entry results like the service. */
  async putEvents(request: { Entries?: Record<string, unknown>[] }) {
    const entries = request.Entries ?? [];
    if (entries.length === 0 || entries.length > PUT_EVENTS_MAX_ENTRIES) {
      throw new AwsError('ValidationException', `Entries must have 1 to ${PUT_EVENTS_MAX_ENTRIES} items`);
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
    if (putEventsEntrySize(entry) > PUT_EVENTS_ENTRY_MAX_BYTES) {
      return {
        ErrorCode: 'ValidationException',
        ErrorMessage: `Total size of the entry is over the limit of ${PUT_EVENTS_ENTRY_MAX_BYTES} bytes.`,
      };
    }
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
    if (Number.isNaN(time.getTime())) {
      return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Time is not valid.' };
    }
    const event = {
      version: '0',
      id: randomUUID(),
      'detail-type': String(entry.DetailType),
      source: String(entry.Source),
      account: ACCOUNT_ID,
      time: awsTime(time),
      region: REGION,
      resources: (entry.Resources as string[] | undefined) ?? [],
      detail,
    };
    const fault = this.#faults.find((f) => matchesPattern(f.pattern, event));
    if (fault) {
      const eventId = (detail as { metadata?: { eventId?: unknown } }).metadata?.eventId;
      fault.refused.push({
        ...(typeof eventId === 'string' ? { eventId } : {}),
        detailType: event['detail-type'],
        at: Date.now(),
      });
      return { ErrorCode: fault.errorCode, ErrorMessage: `Refused by the local fault ${fault.id}.` };
    }
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
      receivedAt: Date.now(),
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
          else void this.deliver.toFunction(target.name, event, rule.name);
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

  /** The AWSEvents.* operations the edge serves; any other is refused naming it. */
  async handle(operation: string, input: Record<string, any>): Promise<unknown> {
    switch (operation) {
      case 'PutEvents':
        return this.putEvents(input);
      case 'ListEventBuses':
        return {
          EventBuses: [...this.buses]
            .filter((b) => !input.NamePrefix || b.startsWith(input.NamePrefix))
            .map((b) => ({ Name: b, Arn: localArn('events', `event-bus/${b}`) })),
        };
      case 'ListRules': {
        const bus = this.#bus(input.EventBusName);
        return {
          Rules: this.rules
            .filter((r) => r.bus === bus && (!input.NamePrefix || r.name.startsWith(input.NamePrefix)))
            .map((r) => this.#describe(r)),
        };
      }
      case 'DescribeRule':
        return this.#describe(this.#rule(input.Name, input.EventBusName));
      case 'ListTargetsByRule':
        return {
          Targets: this.#rule(input.Rule, input.EventBusName).targets.map((t) => ({
            Id: t.id,
            Arn: t.arn ?? t.name,
          })),
        };
      case 'TestEventPattern':
        return { Result: testEventPattern(input.EventPattern, input.Event) };
      default:
        throw unknownOperation('EventBridge', operation);
    }
  }

  #bus(name: unknown): string {
    const bus =
      String(name ?? 'default')
        .split('/')
        .pop() ?? 'default';
    if (!this.buses.has(bus))
      throw new AwsError('ResourceNotFoundException', `Event bus ${bus} does not exist.`);
    return bus;
  }

  #rule(name: unknown, busName: unknown): LocalRule {
    const bus = this.#bus(busName);
    const rule = this.rules.find((r) => r.bus === bus && r.name === name);
    if (!rule)
      throw new AwsError(
        'ResourceNotFoundException',
        `Rule ${String(name)} does not exist on EventBus ${bus}.`,
      );
    return rule;
  }

  #describe(rule: LocalRule) {
    return {
      Name: rule.name,
      Arn: localArn('events', `rule/${rule.bus === 'default' ? '' : `${rule.bus}/`}${rule.name}`),
      ...(rule.pattern ? { EventPattern: JSON.stringify(rule.pattern) } : {}),
      ...(rule.schedule ? { ScheduleExpression: rule.schedule } : {}),
      State: rule.enabled ? 'ENABLED' : 'DISABLED',
      EventBusName: rule.bus,
      CreatedBy: ACCOUNT_ID,
    };
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

/** The fields TestEventPattern requires of the event, as EventBridge does. */
const TEST_EVENT_FIELDS = ['id', 'account', 'source', 'time', 'region', 'detail-type'] as const;

/** AWSEvents.TestEventPattern: the pattern and the event are JSON strings. */
export function testEventPattern(pattern: unknown, event: unknown): boolean {
  const parse = (text: unknown, what: string, code: string) => {
    if (typeof text !== 'string') throw new AwsError('ValidationException', `${what} is required`);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new AwsError(code, `${what} is not valid JSON`);
    }
  };
  const p = parse(pattern, 'EventPattern', 'InvalidEventPatternException');
  try {
    validatePattern(p);
  } catch (error) {
    if (error instanceof InvalidEventPatternError)
      throw new AwsError('InvalidEventPatternException', error.message);
    throw error;
  }
  const e = parse(event, 'Event', 'ValidationException') as Record<string, unknown>;
  const missing = TEST_EVENT_FIELDS.filter((f) => !(e && typeof e === 'object' && f in e));
  if (missing.length > 0)
    throw new AwsError('ValidationException', `Parameter Event is not valid: missing ${missing.join(', ')}`);
  return matchesPattern(p, e);
}
