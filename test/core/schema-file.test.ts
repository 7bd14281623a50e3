import { BUILT_IN } from '../../lambda/registry';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configSchema } from '../../lambda/core/config/load';

describe('published JSON Schema', () => {
  it('schema/readiness.schema.json is the schema the loader validates with (run `npm run schema` after changing a gate)', () => {
    const published = JSON.parse(readFileSync(join(__dirname, '..', '..', 'schema', 'readiness.schema.json'), 'utf8'));
    expect(published).toEqual(JSON.parse(JSON.stringify(configSchema(BUILT_IN))));
  });
});
