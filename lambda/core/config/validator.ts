import type { ConfigValidator, Registry } from '../registry';
import { buildConfigSchema } from './schema';

/** How readiness.yaml is validated: every error, strict about the schema itself. */
export const AJV_OPTIONS = { allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true } as const;

const compiled = new WeakMap<Registry, ConfigValidator>();

/**
 * The validator of a registry's config schema: compiled ahead of time for the built-in registry
 * (`npm run schema` writes lambda/config-validator.generated.ts; a test fails when it drifts), else
 * compiled once here with ajv, which is then loaded for the first time.
 */
export function configValidator(registry: Registry): ConfigValidator {
  if (registry.validator) return registry.validator;
  let validate = compiled.get(registry);
  if (!validate) {
    const Ajv = (require('ajv') as { default: typeof import('ajv').default }).default;
    validate = new Ajv(AJV_OPTIONS).compile(buildConfigSchema(registry));
    compiled.set(registry, validate);
  }
  return validate;
}
