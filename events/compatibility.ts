import type { JsonSchema } from './json-schemas.ts';

/**
 * Lists the changes from `baseline` to `current` that break a reader or a writer of the
 * event: a property removed, a property newly required, a type changed, enum values
 * removed, or extra properties newly refused. Nested objects and array items are
 * compared too. Additions of optional properties are compatible.
 */
export function findBreakingChanges(baseline: JsonSchema, current: JsonSchema, path = '$'): string[] {
  const changes: string[] = [];
  const baseTypes = typesOf(baseline);
  const currentTypes = typesOf(current);
  if (baseTypes.length > 0 && currentTypes.length > 0 && !baseTypes.every((t) => currentTypes.includes(t))) {
    changes.push(`${path}: type changed from ${baseTypes.join('|')} to ${currentTypes.join('|')}`);
    return changes;
  }
  const baseEnum = baseline.enum as unknown[] | undefined;
  const currentEnum = current.enum as unknown[] | undefined;
  if (baseEnum && currentEnum) {
    const removed = baseEnum.filter((v) => !currentEnum.includes(v));
    if (removed.length > 0) changes.push(`${path}: enum values removed: ${removed.join(', ')}`);
  } else if (!baseEnum && currentEnum) {
    changes.push(`${path}: values restricted to an enum`);
  }
  const baseProps = (baseline.properties ?? {}) as Record<string, JsonSchema>;
  const currentProps = (current.properties ?? {}) as Record<string, JsonSchema>;
  for (const [name, schema] of Object.entries(baseProps)) {
    const next = currentProps[name];
    if (!next) changes.push(`${path}.${name}: property removed`);
    else changes.push(...findBreakingChanges(schema, next, `${path}.${name}`));
  }
  const baseRequired = new Set((baseline.required ?? []) as string[]);
  for (const name of (current.required ?? []) as string[]) {
    if (!baseRequired.has(name)) changes.push(`${path}.${name}: property became required`);
  }
  if (baseline.additionalProperties !== false && current.additionalProperties === false && path === '$') {
    // Closing the top-level object refuses fields producers may already send.
    changes.push(`${path}: additional properties are no longer allowed`);
  }
  if (baseline.items && current.items) {
    changes.push(
      ...findBreakingChanges(baseline.items as JsonSchema, current.items as JsonSchema, `${path}[]`),
    );
  }
  return changes;
}

function typesOf(schema: JsonSchema): string[] {
  const type = schema.type;
  if (Array.isArray(type)) return type.map(String);
  return typeof type === 'string' ? [type] : [];
}
