import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const README = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

describe('README', () => {
  it('quick start is exactly two commands: the demo and the tests', () => {
    const quick = /## Quick start\n\n```sh\n([\s\S]*?)```/.exec(README)![1].trim().split('\n');
    expect(quick).toEqual(['npm ci && npm run demo', 'npm test']);
  });
  // Every readiness config in the README (and docs/) goes through the real loader: test/core/doc-configs.test.ts.
});
