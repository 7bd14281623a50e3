/**
 * `npm run schema`: writes the published JSON Schema of readiness.yaml (schema/readiness.schema.json)
 * and the config validator compiled ahead of time from it with ajv's standalone code generation
 * (lambda/config-validator.generated.js), so that no process compiles the schema at start-up.
 * test/core/schema-file.test.ts fails when either drifts from the registered gates and sources.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configSchema } from '../lambda/core/config/load';
import { BUILT_IN } from '../lambda/registry';
import { generateValidatorSource } from './validator-source';

const root = join(__dirname, '..');
const schema = configSchema(BUILT_IN);
writeFileSync(join(root, 'schema', 'readiness.schema.json'), `${JSON.stringify(schema, null, 2)}\n`);
writeFileSync(join(root, 'lambda', 'config-validator.generated.js'), generateValidatorSource(schema));
