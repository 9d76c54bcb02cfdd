import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { $ZodError } from 'zod/v4/core';
import {
  BookingConflictError,
  ConcurrentModificationError,
  DomainError,
  InsufficientInventoryError,
  ItemNotFoundError,
  ReservationNotFoundError,
  StockConflictError,
  ValidationError,
} from '../domain/errors.ts';

/** An error that already knows its HTTP status and code (auth, parsing, routing). */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const JSON_HEADERS = { 'content-type': 'application/json' } as const;

export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}) {
  return { statusCode, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

export function errorResponse(statusCode: number, code: string, message: string, details?: unknown) {
  return jsonResponse(statusCode, {
    error: { code, message, ...(details === undefined ? {} : { details }) },
  });
}

const DOMAIN_STATUS: [new (...args: never[]) => DomainError, number][] = [
  [ValidationError, 400],
  [ItemNotFoundError, 404],
  [ReservationNotFoundError, 404],
  [InsufficientInventoryError, 409],
  [BookingConflictError, 409],
  [StockConflictError, 409],
  [ConcurrentModificationError, 409],
];

/**
 * An error type only some functions can raise (a library's), with the answer it gets. Such a
 * function passes its mappings to `createHttpHandler`, so the other functions never load the library
 * to recognise its errors (shared/http/idempotency-errors.ts).
 */
export interface ErrorMapping {
  type: abstract new (...args: never[]) => Error;
  statusCode: number;
  code: string;
  message: string;
}

/**
 * Maps any error to the API's error body. Known errors keep their code and details, errors of
 * `mappings` get theirs; anything else is a 500 whose details stay in the logs.
 */
export function toErrorResponse(
  error: unknown,
  mappings: readonly ErrorMapping[] = [],
): {
  response: APIGatewayProxyStructuredResultV2;
  unexpected: boolean;
} {
  if (error instanceof HttpError) {
    return {
      response: errorResponse(error.statusCode, error.code, error.message, error.details),
      unexpected: false,
    };
  }
  if (error instanceof $ZodError) {
    const details = error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    return {
      response: errorResponse(400, 'VALIDATION_ERROR', 'The request is not valid', details),
      unexpected: false,
    };
  }
  const mapped = mappings.find((m) => error instanceof m.type);
  if (mapped) {
    return { response: errorResponse(mapped.statusCode, mapped.code, mapped.message), unexpected: false };
  }
  if (error instanceof DomainError) {
    const status = DOMAIN_STATUS.find(([type]) => error instanceof type)?.[1] ?? 400;
    return { response: errorResponse(status, error.code, error.message, error.details), unexpected: false };
  }
  return { response: errorResponse(500, 'INTERNAL_ERROR', 'Internal server error'), unexpected: true };
}
