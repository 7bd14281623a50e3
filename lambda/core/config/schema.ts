import type { SourceCatalog } from '../gate';
import type { Registry } from '../registry';
import type { JsonSchema } from './json-schema';

export const SUITE_PATTERN = '^[A-Za-z][A-Za-z0-9-]{0,62}$';

/** Keys accepted by every gate, merged into each gate's own schema. */
const GATE_COMMON: Record<string, JsonSchema> = {
  enabled: { type: 'boolean', default: true, description: 'false leaves the gate out of every run.' },
  timeoutSeconds: {
    type: 'number',
    exclusiveMinimum: 0,
    maximum: 900,
    default: 60,
    description: 'Deadline for the whole gate; past it the gate is ERROR.',
  },
};

/**
 * The JSON Schema of readiness.yaml, assembled from the registered gates and source types. The
 * same document validates configs at run time and is published as schema/readiness.schema.json.
 */
export function buildConfigSchema(registry: Registry): JsonSchema {
  const gateProperties: Record<string, JsonSchema> = {};
  for (const gate of registry.gates) {
    const schema = registry.gateSchema(gate);
    const own = schema as { properties?: Record<string, JsonSchema>; required?: string[] };
    gateProperties[gate.id] = {
      ...schema,
      type: 'object',
      description: gate.title,
      properties: { ...GATE_COMMON, ...(own.properties ?? {}) },
      additionalProperties: false,
    };
  }
  const named = registry.sources.filter((s) => !s.inline);
  const types = named.map((s) => s.type);
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'urn:saas-readiness:readiness.schema.json',
    title: 'saas-readiness configuration (readiness.yaml)',
    type: 'object',
    required: ['version', 'suite'],
    additionalProperties: false,
    properties: {
      version: { const: 1, description: 'Config format version. Always 1.' },
      suite: {
        type: 'string',
        pattern: SUITE_PATTERN,
        description: 'Names the stack, the dashboard and the metric dimension (letters, digits, dashes).',
      },
      sources: {
        type: 'object',
        description: 'Named connections, shared by the gates that use them.',
        propertyNames: { pattern: '^[A-Za-z][A-Za-z0-9_-]{0,63}$' },
        additionalProperties: {
          type: 'object',
          required: ['type'],
          properties: { type: { enum: types, description: 'Which adapter to use.' } },
          allOf: types.map((t) => ({
            if: { properties: { type: { const: t } }, required: ['type'] },
            // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword, not a thenable
            then: named.find((s) => s.type === t)!.schema,
          })),
        },
      },
      gates: {
        type: 'object',
        description: 'The readiness gates to run. A gate that is absent or has enabled: false is not run.',
        additionalProperties: false,
        properties: gateProperties,
      },
    },
  };
}

/**
 * The settings every source that opens a port reads from a gate's config, as schema properties to
 * merge into that gate's own (the first source to declare a key describes it). A default is
 * described, not declared: it is applied only for the source that reads the setting.
 */
export function optionProperties(catalog: SourceCatalog, portId: string): Record<string, JsonSchema> {
  const merged: Record<string, JsonSchema> = {};
  for (const schema of Object.values(catalog.optionSchemas(portId))) {
    for (const [key, property] of Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>)) {
      if (merged[key]) continue;
      const { default: fallback, ...rest } = property;
      merged[key] =
        fallback === undefined ? property : { ...rest, description: `${String(rest.description ?? '')} Default ${JSON.stringify(fallback)}.`.trim() };
    }
  }
  return merged;
}
