import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { dump } from 'js-yaml';
import { runCli } from '../support/cli';

const dir = mkdtempSync(join(tmpdir(), 'sr-prop-'));

/** Values shaped like readiness.yaml, mixing valid keys, wrong types and hostile strings. */
const scalar = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('${env:NOPE}', '${env:HOME}', '${secret:x}', '\u0000', '../../etc/passwd', '<x/>'),
);
const keys = fc.constantFrom(
  'version',
  'suite',
  'sources',
  'gates',
  'tenants',
  'cost',
  'config',
  'monitoring',
  'type',
  'url',
  'source',
  'minTenants',
  'table',
  'enabled',
  'timeoutSeconds',
  'quotaProbe',
  'x',
);
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('node'), { maxLength: 3 }), fc.dictionary(keys, tie('node'), { maxKeys: 4 })),
})).node;
const document = fc.oneof(
  value.map((v) => dump(v, { skipInvalid: true })),
  fc
    .record(
      { version: fc.constantFrom(1, 2, '1'), suite: fc.oneof(fc.constant('acme'), fc.string()), sources: value, gates: value },
      { requiredKeys: ['version'] },
    )
    .map((v) => dump(v, { skipInvalid: true })),
  fc.string(),
);

describe('random readiness.yaml documents (property)', () => {
  it('never produce a stack trace: exit 0, 1 or 2 with a message', async () => {
    await fc.assert(
      fc.asyncProperty(document, async (text) => {
        const file = join(dir, 'readiness.yaml');
        writeFileSync(file, text);
        const res = await runCli(['validate', '--config', file], { cwd: dir, env: {} });
        expect([0, 2]).toContain(res.code);
        if (res.code === 2) {
          expect(res.stderr).toMatch(/^saas-readiness: \S/);
          expect(res.stderr).not.toMatch(/\n\s+at |unexpected error/);
        }
      }),
      { numRuns: 300 },
    );
  });
});
