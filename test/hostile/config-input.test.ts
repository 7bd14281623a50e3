import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectUsageError, timedCli } from './support';

/**
 * Hostile configs, in-process through the CLI: alias bombs, deep nesting, huge scalars and keys,
 * special files, binary input, malformed references, credential-shaped values where a schema
 * error quotes them, unwritable outputs. Each is refused with exit 2 and one line naming file,
 * line and field, nothing run, no secret printed, in bounded time and memory.
 */
const dir = mkdtempSync(join(tmpdir(), 'sr-hostile-config-'));
const SECRET = 'Hostile-S3cr3t/Pass+word';

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const VALID = `version: 1
suite: acme
sources:
  appdb: { type: postgres, url: "\${env:DATABASE_URL}" }
gates:
  tenants: { source: appdb }
`;

/** Billion laughs: `levels` anchors, each a list of `width` aliases of the one before. */
function aliasBomb(levels: number, width: number, style: 'flow' | 'block' = 'flow'): string {
  const lines = ['version: 1', 'suite: acme', `l0: &l0 [${Array(width).fill('"lol"').join(',')}]`];
  for (let i = 1; i <= levels; i++) {
    lines.push(
      style === 'flow'
        ? `l${i}: &l${i} [${Array(width)
            .fill(`*l${i - 1}`)
            .join(',')}]`
        : `l${i}: &l${i}\n${Array(width)
            .fill(`  - *l${i - 1}`)
            .join('\n')}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

describe('hostile readiness.yaml: refused at once, one line, exit 2', () => {
  const heapBefore = process.memoryUsage().heapUsed;
  afterAll(() => {
    // Nothing above was expanded: the heap did not grow by anything like an expanded bomb.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(200 * 2 ** 20);
  });

  describe('alias bombs', () => {
    it.each([
      ['the 424-byte billion laughs of the issue (9 × 9, flow)', aliasBomb(8, 9)],
      ['474 bytes: one level more', aliasBomb(9, 9)],
      ['block style', aliasBomb(9, 9, 'block')],
      ['wide and shallow (3 levels of 100)', aliasBomb(3, 100)],
      [
        'a mapping bomb',
        `${['version: 1', 'suite: acme', 'm0: &m0 {a: 1, b: 2, c: 3, d: 4}', ...Array.from({ length: 12 }, (_, i) => `m${i + 1}: &m${i + 1} {a: *m${i}, b: *m${i}, c: *m${i}, d: *m${i}}`)].join('\n')}\n`,
      ],
    ])('%s', async (_name, text) => {
      const path = file(`bomb-${text.length}-${_name.length}.yaml`, text);
      expect(Buffer.byteLength(text)).toBeLessThan(2000);
      const run = await timedCli(['validate', '--config', path]);
      expectUsageError(run, new RegExp(`^saas-readiness: ${path}:\\d+: .*expands to more than 100,000 nodes`));
    });

    it('aliases that stay small are fine (shared headers)', async () => {
      const path = file(
        'small-aliases.yaml',
        `${VALID}  config:\n    source: appdb\n    canary:\n      tenant: test-canary\n      effectiveConfigUrl: https://app.example.com/c\n      headers: &h { x-team: platform }\n`,
      );
      const run = await timedCli(['validate', '--config', path], { env: { DATABASE_URL: 'postgres://app:pw@db:5432/app' } });
      expect(run.code).toBe(0);
    });
  });

  describe('deep nesting', () => {
    it.each([
      ['flow', `version: 1\nsuite: acme\nsources: ${'['.repeat(200)}${']'.repeat(200)}\n`, /:3:\d+: invalid YAML: nesting exceeded maxDepth \(64\)/],
      [
        'block',
        `version: 1\nsuite: acme\n${Array.from({ length: 100 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n')} 1\n`,
        /:\d+:\d+: invalid YAML: nesting exceeded maxDepth \(64\)/,
      ],
      [
        'deep through aliases',
        `version: 1\nsuite: acme\n${Array.from({ length: 40 }, (_, i) => `d${i + 1}: &d${i + 1} [[${i === 0 ? '1' : `*d${i}`}]]`).join('\n')}\n`,
        /: nested deeper than 64 levels \(aliases expanded\)/,
      ],
    ])('%s', async (name, text, message) => {
      const path = file(`deep-${name}.yaml`, text);
      expectUsageError(await timedCli(['validate', '--config', path]), new RegExp(`^saas-readiness: ${path}.*${message.source}`));
    });
  });

  describe('huge scalars and keys', () => {
    it.each([
      [
        'a 40 KB key (was: Invalid regular expression … too large)',
        `${VALID}${'k'.repeat(40_000)}: 1\n`,
        /:7: a key of 40,000 characters \(k{40}\); keys are at most 256/,
      ],
      [
        'a 1 MB key (was: printed whole)',
        `version: 1\nsuite: acme\n${'k'.repeat(1_000_000)}: 1\n`,
        /:3: a key of 1,000,000 characters \(k{40}\); keys are at most 256/,
      ],
      ['a 500 KB value', `version: 1\nsuite: ${'x'.repeat(500_000)}\n`, /:2: suite: a value of 500,000 characters; values are at most 64 KiB/],
      ['a misspelt key of 250 characters', `${VALID}  ${'tenant'.repeat(41)}s: {}\n`, /:7: gates\.t{1}e.*: unknown key; allowed here:/],
    ])('%s', async (name, text, message) => {
      const path = file(`huge-${name.length}.yaml`, text);
      const run = await timedCli(['validate', '--config', path], { env: { DATABASE_URL: 'postgres://app:pw@db:5432/app' } });
      expectUsageError(run, message);
      expect(run.stderr).not.toMatch(/k{41}/);
    });
  });

  describe('special files and binary input', () => {
    const fifo = join(dir, 'config.fifo');
    beforeAll(() => execFileSync('mkfifo', [fifo]));
    it.each([
      ['/dev/zero (was: std::bad_alloc after 161 s)', '/dev/zero', /is a character device, not a regular file/],
      ['/dev/urandom (was: hang)', '/dev/urandom', /is a character device, not a regular file/],
      ['a FIFO (was: hang)', fifo, /is a FIFO \(named pipe\), not a regular file/],
      ['a folder', dir, /is a directory, not a regular file/],
      ['a 2 MB file', file('big.yaml', `version: 1\nsuite: acme\n#${'x'.repeat(2_000_000)}\n`), /is \d+ bytes, larger than the 1 MiB allowed/],
      [
        'NUL bytes',
        file('nul.yaml', Buffer.concat([Buffer.from('version: 1\nsuite: acme\n'), Buffer.alloc(64)])),
        /is binary \(it contains NUL bytes\), not text/,
      ],
      ['invalid UTF-8', file('latin1.yaml', Buffer.from([0x76, 0x65, 0x72, 0x3a, 0x20, 0xff, 0xfe, 0x0a])), /is not UTF-8 text/],
      ['random bytes', file('random.yaml', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256))), /is binary|is not UTF-8 text/],
      ['a missing file', join(dir, 'missing.yaml'), /file not found \(create one with `saas-readiness init`\)/],
    ])('%s', async (_name, path, message) => {
      const run = await timedCli(['validate', '--config', path]);
      expectUsageError(run, new RegExp(`^saas-readiness: ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ${message.source}`));
    });

    it('schemaFile: /dev/zero is refused by validate, naming the field (was: abort)', async () => {
      const path = file('schema-dev-zero.yaml', `${VALID}  config: { source: appdb, schemaFile: /dev/zero }\n`);
      const run = await timedCli(['validate', '--config', path], { env: { DATABASE_URL: 'postgres://app:pw@db:5432/app' } });
      expectUsageError(run, /:7: gates\.config\.schemaFile: not a usable JSON Schema: cannot read \/dev\/zero: is a character device, not a regular file$/m);
    });
  });

  describe('references and values that only failed at run time', () => {
    it.each([
      ['${env:BAD NAME}', 'url: "${env:BAD NAME}"', /:4: sources\.appdb\.url: '\$\{env:BAD NAME\}' is not a valid reference/],
      ['${ENV:X}', 'url: "${ENV:DATABASE_URL}"', /'\$\{ENV:DATABASE_URL\}' is not a valid reference/],
      ['an unclosed ${env:', 'url: "postgres://${env:DATABASE_URL"', /is not closed with '\}'/],
      ['${ssm:} with a space', 'url: "${ssm:/bad name}"', /'\$\{ssm:\/bad name\}' is not a valid reference/],
      ['an http:// URL for postgres', 'url: "http://app:pw@db/app"', /:4: sources\.appdb\.url: must match pattern/],
      ['the one-slash typo', 'url: "postgres:/app:pw@db/app"', /:4: sources\.appdb\.url: must match pattern/],
    ])('%s', async (_name, url, message) => {
      const path = file(`ref-${_name.length}-${url.length}.yaml`, VALID.replace('url: "${env:DATABASE_URL}"', url));
      const run = await timedCli(['validate', '--config', path], { env: { DATABASE_URL: 'postgres://app:pw@db:5432/app' } });
      expectUsageError(run, message);
    });
  });

  describe('credential-shaped values, in every output of a run', () => {
    it.each(['text', 'json', 'junit', 'markdown'])(
      'a password with a / (base64) in DATABASE_URL, --format %s --out: never printed or written (was: in all of them)',
      async (format) => {
        const out = join(dir, `cred-out-${format}`);
        const path = file('cred-run.yaml', VALID.replace('tenants: { source: appdb }', 'tenants: { source: appdb, timeoutSeconds: 5 }'));
        const run = await timedCli(['run', '--config', path, '--format', format, '--out', out], {
          env: { DATABASE_URL: `postgres://app:${SECRET}@127.0.0.1:5999/db` },
        });
        expect(run.code).toBe(1);
        const written = require('node:fs')
          .readdirSync(out)
          .map((f: string) => require('node:fs').readFileSync(join(out, f), 'utf8'))
          .join('\n');
        for (const text of [run.stdout, run.stderr, written]) {
          expect(text).not.toContain('S3cr3t');
          expect(text).not.toContain('Pass+word');
        }
        expect(run.stdout).toMatch(/postgres:\/\/app:\*\*\*@127\.0\.0\.1:5999\/db|app@127\.0\.0\.1|db@127\.0\.0\.1:5999/);
      },
    );
  });

  describe('credential-shaped values quoted by a schema error', () => {
    it.each([
      ['the one-slash typo', `postgres:/app:${SECRET}@127.0.0.1/db`],
      ['no slashes', `postgres:app:${SECRET}@127.0.0.1/db`],
      ['an http URL', `http://app:${SECRET}@127.0.0.1/db`],
      ['a long URL cut by the message', `http://app:${SECRET}${'x'.repeat(100)}@127.0.0.1/db`],
    ])('%s: the value is shown redacted, never the password', async (_name, url) => {
      const path = file(`cred-${url.length}.yaml`, VALID);
      const run = await timedCli(['validate', '--config', path], { env: { DATABASE_URL: url } });
      expectUsageError(run, /sources\.appdb\.url: must match pattern/);
      expect(run.stderr).not.toContain('S3cr3t');
    });

    it('a value under a secret-looking key is never shown', async () => {
      const path = file('apikey-number.yaml', `version: 1\nsuite: acme\nsources:\n  dd: { type: datadog, apiKey: 123456789, appKey: x }\n`);
      const run = await timedCli(['validate', '--config', path]);
      expectUsageError(run, /:4: sources\.dd\.apiKey: must be string$/m);
    });
  });

  describe('unwritable --out: refused before any gate (or probe) runs', () => {
    const blocker = file('not-a-folder', 'x');
    // /proc and /sys behave so on Linux only (the CI machine); elsewhere the portable cases run.
    const linux: [string, string, RegExp][] = [
      ['/proc/x (was: hang after the report)', '/proc/x', /--out \/proc\/x: cannot create \/proc\/x: ENOENT/],
      [
        'an existing folder nobody may write, even root (was: every gate ran, then EACCES)',
        '/sys/kernel',
        /--out \/sys\/kernel: the folder is not writable: permission denied$/m,
      ],
      ['a folder that may not be created', '/sys/x', /--out \/sys\/x: cannot create \/sys\/x: permission denied$/m],
    ];
    it.each([
      ...(process.platform === 'linux' ? linux : []),
      ['under a regular file', join(blocker, 'out'), /: .*not-a-folder is not a regular file, not a folder|cannot create/],
      ['a device', '/dev/null', /--out \/dev\/null: \/dev\/null is a character device, not a folder/],
      ['too many missing levels (a typo)', join(dir, 'a/b/c/d/e/f/g/h/i/j'), /cannot create the folder: file not found/],
    ])('%s', async (_name, out, message) => {
      const path = file('out.yaml', VALID);
      // The database does not exist: had a gate run, the stderr would say so and the exit would be 1.
      const run = await timedCli(['run', '--config', path, '--out', out, '--quiet'], { env: { DATABASE_URL: 'postgres://app:pw@127.0.0.1:1/app' } });
      expectUsageError(run, message);
    });

    it('an existing writable folder is left as it was until the reports are written', async () => {
      const out = join(dir, 'existing');
      mkdirSync(out);
      const path = file('out-ok.yaml', VALID.replace('tenants: { source: appdb }', 'tenants: { source: appdb, timeoutSeconds: 2 }'));
      const run = await timedCli(['run', '--config', path, '--out', out, '--quiet'], { env: { DATABASE_URL: 'postgres://app:pw@127.0.0.1:1/app' } });
      expect(run.code).toBe(1);
      expect(require('node:fs').readdirSync(out).sort()).toEqual(['junit.xml', 'report.html', 'report.json', 'report.md']);
    });
  });
});
