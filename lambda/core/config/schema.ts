import type { GateDefinition } from '../gate';
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
export function buildConfigSchema(
  gates: readonly GateDefinition<any>[],
  sources: Readonly<Record<string, JsonSchema>>,
): JsonSchema {
  const gateProperties: Record<string, JsonSchema> = {};
  for (const gate of gates) {
    const own = gate.configSchema as { properties?: Record<string, JsonSchema>; required?: string[] };
    gateProperties[gate.id] = {
      ...gate.configSchema,
      type: 'object',
      description: gate.title,
      properties: { ...GATE_COMMON, ...(own.properties ?? {}) },
      additionalProperties: false,
    };
  }
  const types = Object.keys(sources);
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
            then: sources[t],
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
