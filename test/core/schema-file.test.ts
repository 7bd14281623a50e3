import { BUILT_IN } from '../../lambda/registry';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configSchema } from '../../lambda/core/config/load';
import { generateValidatorSource } from '../../schema/validator-source';

const ROOT = join(__dirname, '..', '..');

describe('published JSON Schema', () => {
  it('schema/readiness.schema.json is the schema the loader validates with (run `npm run schema` after changing a gate)', () => {
    const published = JSON.parse(readFileSync(join(ROOT, 'schema', 'readiness.schema.json'), 'utf8'));
    expect(published).toEqual(JSON.parse(JSON.stringify(configSchema(BUILT_IN))));
  });

  it('lambda/config-validator.generated.js is ajv standalone code of that schema (run `npm run schema` after changing a gate)', () => {
    const committed = readFileSync(join(ROOT, 'lambda', 'config-validator.generated.js'), 'utf8');
    expect(committed === generateValidatorSource(configSchema(BUILT_IN))).toBe(true);
  });

  it('the built-in registry validates with the precompiled validator, and a registry without one compiles its own', () => {
    expect(BUILT_IN.validator).toBeInstanceOf(Function);
  });
});
