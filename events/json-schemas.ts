import * as z from 'zod/mini';
import { allEvents, type EventContract } from './index.ts';

export type JsonSchema = Record<string, unknown>;

/**
 * The JSON Schema (draft-04, the dialect EventBridge Schema Registry takes) of an event's
 * detail, for outsiders who do not use our zod modules.
 */
export function jsonSchemaOf(contract: EventContract): JsonSchema {
  const body = z.toJSONSchema(contract.detail, { target: 'draft-04', io: 'input', unrepresentable: 'any' });
  const { $schema, ...rest } = body as JsonSchema;
  return {
    $schema,
    title: contract.type.detailType,
    description: `detail of ${contract.type.detailType} from ${contract.type.source}, schema version ${contract.type.schemaVersion}`,
    'x-source': contract.type.source,
    'x-detail-type': contract.type.detailType,
    'x-schema-version': contract.type.schemaVersion,
    ...rest,
  };
}

/** Every event's JSON Schema, keyed by detail-type. */
export function allJsonSchemas(): Record<string, JsonSchema> {
  return Object.fromEntries(
    Object.entries(allEvents).map(([name, contract]) => [name, jsonSchemaOf(contract)]),
  );
}

/** The committed file content for a schema (stable formatting, so diffs are meaningful). */
export const schemaFileContent = (schema: JsonSchema) => `${JSON.stringify(schema, null, 2)}\n`;
