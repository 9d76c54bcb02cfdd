import { randomUUID } from 'node:crypto';
import { ACCOUNT_ID, awsTime, localArn, REGION } from './aws-account.ts';
import type { LocalRule } from './eventbridge.ts';

/** `rate(5 minutes)` in seconds; cron is not emulated (rejected rather than ignored). */
export function rateSeconds(expression: string): number {
  const match = /^rate\((\d+) (second|minute|hour|day)s?\)$/.exec(expression);
  if (!match) throw new Error(`Schedule ${expression} is not emulated (only rate(...) is)`);
  const unit = { second: 1, minute: 60, hour: 3600, day: 86400 }[match[2] as 'second'];
  return Number(match[1]) * unit;
}

/** The event EventBridge sends a scheduled rule's targets. */
export function scheduledEvent(ruleName: string) {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: ACCOUNT_ID,
    time: awsTime(new Date()),
    region: REGION,
    resources: [localArn('events', `rule/${ruleName}`)],
    detail: {},
  };
}

/**
 * Runs the enabled `rate(...)` rules: each period, their Lambda targets get a
 * `Scheduled Event`; a run still busy when the next is due is skipped.
 */
export function startSchedules(
  rules: LocalRule[],
  options: {
    intervalSeconds?: number;
    invoke(functionId: string, event: unknown, trigger: string): Promise<unknown>;
    log(line: string): void;
  },
): { stop(): void } {
  const timers: NodeJS.Timeout[] = [];
  for (const rule of rules.filter((r) => r.schedule && r.enabled)) {
    const seconds = options.intervalSeconds ?? rateSeconds(rule.schedule ?? '');
    let busy = false;
    timers.push(
      setInterval(async () => {
        if (busy) return;
        busy = true;
        const event = scheduledEvent(rule.name);
        try {
          await Promise.all(
            rule.targets
              .filter((t) => t.kind === 'lambda')
              .map((t) => options.invoke(t.name, event, `schedule:${rule.name}`)),
          );
        } catch (error) {
          options.log(`[schedule ${rule.name}] ${(error as Error).message}`);
        } finally {
          busy = false;
        }
      }, seconds * 1000),
    );
  }
  return { stop: () => timers.forEach(clearInterval) };
}
