import type { JsonSchema } from './json-schema';

/**
 * Fills in the `default` of every property a schema declares and an object leaves out, and goes
 * on into the objects that are there: the one place defaults are applied (not `??` in each gate).
 * Only `properties` are followed; a `default` inside `oneOf` or `anyOf` is left to the code that
 * picks the branch. Changes `value` in place.
 */
export function applyDefaults(schema: JsonSchema, value: unknown): void {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return;
  const target = value as Record<string, unknown>;
  for (const [key, property] of Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>)) {
    if (target[key] === undefined && property.default !== undefined) target[key] = structuredClone(property.default);
    applyDefaults(property, target[key]);
  }
}
