import {
  IdempotencyAlreadyInProgressError,
  IdempotencyValidationError,
} from '@aws-lambda-powertools/idempotency';
import type { ErrorMapping } from './errors.ts';

/**
 * What Powertools idempotency's refusals answer, for the functions whose routes run under it
 * (reserve, release): the same booking with another payload, or a duplicate still in flight.
 * Only those functions pass these to `createHttpHandler`: the others then never load the library.
 */
export const IDEMPOTENCY_ERRORS: readonly ErrorMapping[] = [
  {
    type: IdempotencyValidationError,
    statusCode: 409,
    code: 'BOOKING_CONFLICT',
    message: 'The same booking was requested with a different payload',
  },
  {
    type: IdempotencyAlreadyInProgressError,
    statusCode: 409,
    code: 'REQUEST_IN_PROGRESS',
    message: 'The same request is being processed; retry shortly',
  },
];
