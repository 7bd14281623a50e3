import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';

const README = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

describe('README', () => {
  it('quick start is exactly two commands: the demo and the tests', () => {
    const quick = /## Quick start\n\n```sh\n([\s\S]*?)```/.exec(README)![1].trim().split('\n');
    expect(quick).toEqual(['npm ci && npm run demo', 'npm test']);
  });

  it('every YAML example parses as written (users copy them)', () => {
    const blocks = [...README.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    for (const block of blocks) expect(() => load(block)).not.toThrow();
  });
});
