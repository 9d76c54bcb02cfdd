import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { LogPort } from './domain/ports.ts';

/**
 * Powertools logger and metrics, one of each per execution environment. Tracing is
 * Lambda's active tracing (set by the CDK function construct); the Powertools Tracer is
 * left out because it bundles the X-Ray SDK (about 100 KB per function). Service
 * name and metrics namespace come from POWERTOOLS_SERVICE_NAME and
 * POWERTOOLS_METRICS_NAMESPACE, which the CDK function construct sets.
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'inventory-service' });
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'InventoryService',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'inventory-service',
});

/** A log port backed by a Powertools logger (so its persistent keys apply). */
export function logPortOf(log: Logger): LogPort {
  return {
    info: (message, extra) => log.info(message, extra ?? {}),
    warn: (message, extra) => log.warn(message, extra ?? {}),
    error: (message, extra) =>
      extra instanceof Error ? log.error(message, extra) : log.error(message, extra ?? {}),
  };
}

/** The use cases' log port, backed by the module's logger. */
export const logPort: LogPort = logPortOf(logger);

/**
 * A logger for one record of a batch: its own keys (booking, correlation, event), so
 * records processed in parallel never log under each other's ids.
 */
export function recordLogger(context: {
  correlationId?: string;
  bookingId?: string;
  eventId?: string;
}): Logger {
  const keys: Record<string, string> = {};
  if (context.correlationId) keys.correlationId = context.correlationId;
  if (context.bookingId) keys.bookingId = context.bookingId;
  if (context.eventId) keys.eventId = context.eventId;
  return logger.createChild({ persistentKeys: keys });
}

/**
 * Binds one booking's trail to every log line until `clearBookingContext`: the keys the
 * README's Logs Insights queries follow across functions.
 */
export function setBookingContext(context: {
  correlationId?: string;
  bookingId?: string;
  eventId?: string;
}): void {
  const keys: Record<string, string> = {};
  if (context.correlationId) keys.correlationId = context.correlationId;
  if (context.bookingId) keys.bookingId = context.bookingId;
  if (context.eventId) keys.eventId = context.eventId;
  logger.appendPersistentKeys(keys);
}

export function clearBookingContext(): void {
  logger.removePersistentKeys(['correlationId', 'bookingId', 'eventId']);
}

/** Business metric names (the dashboard and alarms in infra/ use the same names). */
export const BusinessMetric = {
  ReservationsCreated: 'ReservationsCreated',
  ReservationsFailed: 'ReservationsFailed',
  ReservationsConfirmed: 'ReservationsConfirmed',
  ReservationsReleased: 'ReservationsReleased',
  ReservationsExpired: 'ReservationsExpired',
  ConfirmationsFailed: 'ConfirmationsFailed',
  HoldsNotExpired: 'HoldsNotExpired',
  ReservationsWaitlisted: 'ReservationsWaitlisted',
  WaitlistServed: 'WaitlistServed',
  EventsPublished: 'EventsPublished',
  UnitsReserved: 'UnitsReserved',
  InventoryDrift: 'InventoryDrift',
  InventoryDriftSuspectsCleared: 'InventoryDriftSuspectsCleared',
} as const;

/** Emits one count, optionally with a `reason` dimension (a separate EMF blob, so dimensions don't leak). */
export function countMetric(name: keyof typeof BusinessMetric, value = 1, reason?: string): void {
  if (reason) {
    const single = metrics.singleMetric();
    single.addDimension('reason', reason);
    single.addMetric(name, MetricUnit.Count, value);
    return;
  }
  metrics.addMetric(name, MetricUnit.Count, value);
}

export { MetricUnit };
