import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The benchmarks share the stand-ins with the tests and nothing else of test/: a stand-in is built
 * from the provider's contract, so a figure measured against it means the same in both; test
 * helpers may change with the tests. The stand-ins themselves import no test helper.
 */
const ROOT = join(__dirname, '..', '..');
const importsOf = (file: string) => [...readFileSync(file, 'utf8').matchAll(/from '([^']+)'|require\('([^']+)'\)/g)].map((m) => m[1] ?? m[2]);

describe('what the benchmarks may import from test/', () => {
  it('bench/ imports only test/standins', () => {
    const outside = readdirSync(join(ROOT, 'bench'))
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) => importsOf(join(ROOT, 'bench', f)).map((spec) => `${f}: ${spec}`))
      .filter((line) => /'?\.\.\/test\//.test(line) && !/\.\.\/test\/standins\//.test(line));
    expect(outside).toEqual([]);
  });

  it('test/standins imports no test helper (only other stand-ins and the product)', () => {
    const dir = join(ROOT, 'test', 'standins');
    const outside = readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .flatMap((f) => importsOf(join(dir, f)).map((spec) => `${f}: ${spec}`))
      .filter((line) => /: \.\.\/(?!\.\.\/)/.test(line));
    expect(outside).toEqual([]);
  });
});
