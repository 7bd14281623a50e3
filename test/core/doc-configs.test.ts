import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump, load } from 'js-yaml';
import { parseConfig } from '../../lambda/core/config/load';
import { BUILT_IN } from '../../lambda/registry';
import { documentationBlocks, type FencedBlock, fencedBlocks } from '../support/markdown';

/**
 * Every readiness config the documentation shows is one the real loader accepts: each ```yaml
 * block in README.md and docs/**\/*.md whose top level has `version`, `sources` or `gates` is
 * validated by parseConfig (schema, references, each gate's own checks), as `saas-readiness
 * validate` would with the example's environment variables set (exampleEnv). A fragment (no `version`) is completed first with what the design's skeleton
 * gives every config: `version: 1`, a suite name, and the sources `appdb` (postgres) and
 * `registry` (dynamodb) where the fragment does not declare them. A block that shows something
 * else in YAML opts out with `<!-- not-a-config -->` on the line before its fence.
 */
const OPT_OUT = '<!-- not-a-config -->';

interface YamlBlock {
  file: string;
  line: number;
  text: string;
  optedOut: boolean;
}

/** The ```yaml blocks among fenced blocks, with the line of their fence and whether they opted out. */
function yamlOf(blocks: FencedBlock[]): YamlBlock[] {
  return blocks
    .filter((b) => b.lang === 'yaml' || b.lang === 'yml')
    .map(({ file, line, text, comment }) => ({ file, line, text, optedOut: `<!-- ${comment} -->` === OPT_OUT }));
}

/** A readiness config (or a fragment of one): a mapping with version, sources or gates at its top. */
function looksLikeConfig(text: string): boolean {
  let doc: unknown;
  try {
    doc = load(text);
  } catch {
    return /^(version|sources|gates):/m.test(text);
  }
  return !!doc && typeof doc === 'object' && !Array.isArray(doc) && ['version', 'sources', 'gates'].some((k) => k in (doc as object));
}

const SKELETON_SOURCES = {
  appdb: { type: 'postgres', url: '${env:DATABASE_URL}' },
  registry: { type: 'dynamodb', table: 'TenantDetails', layout: 'sbt-aws' },
};

/** The block as a whole config: itself when it has a version, else completed from the skeleton. */
function asWholeConfig(text: string): string {
  const doc = load(text) as Record<string, unknown>;
  if ('version' in doc) return text;
  const sources = (doc.sources ?? {}) as Record<string, unknown>;
  return dump({ version: 1, suite: 'docs-example', ...doc, sources: { ...SKELETON_SOURCES, ...sources } }, { lineWidth: -1 });
}

/**
 * The environment a user of an example has set: ${env:…} is resolved as the CLI resolves it, with
 * values of the documented shape (a table name, a numeric account ID…); any other name gets a
 * plain value.
 */
const EXAMPLE_ENV: Record<string, string> = {
  DATABASE_URL: 'postgres://app:example@db.internal:5432/app',
  TENANT_DETAILS_TABLE: 'ControlPlaneStack-TenantDetails1A2B3C4D',
  NEW_RELIC_ACCOUNT_ID: '1234567',
};

function exampleEnv(text: string): NodeJS.ProcessEnv {
  const names = [...text.matchAll(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]);
  return Object.fromEntries(names.map((n) => [n, EXAMPLE_ENV[n] ?? `example-${n.toLowerCase().replace(/_/g, '-')}`]));
}

/** Files the examples name relative to the working directory, as a user of the example has them. */
const EXAMPLE_FILES: Record<string, string> = {
  'tenant-config.schema.json': JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', type: 'object' }),
};

const blocks = yamlOf(documentationBlocks());
const configs = blocks.filter((b) => !b.optedOut && looksLikeConfig(b.text));

describe('readiness configs shown in README.md and docs/', () => {
  // The loader reads the files a config names from the working directory, as the CLI does.
  const cwd = process.cwd();
  const work = mkdtempSync(join(tmpdir(), 'sr-doc-configs-'));
  beforeAll(() => {
    for (const [name, text] of Object.entries(EXAMPLE_FILES)) writeFileSync(join(work, name), text);
    process.chdir(work);
  });
  afterAll(() => {
    process.chdir(cwd);
    rmSync(work, { recursive: true, force: true });
  });

  it('finds the examples: the README own and one on every reference page of a gate', () => {
    expect(configs.filter((b) => b.file === 'README.md').length).toBeGreaterThanOrEqual(1);
    for (const page of ['docs/configuration.md', 'docs/gates/tenants.md', 'docs/gates/cost.md', 'docs/gates/config.md', 'docs/gates/monitoring.md']) {
      expect({ page, found: configs.some((b) => b.file === page) }).toEqual({ page, found: true });
    }
  });

  it('every YAML block parses as written (users copy them)', () => {
    for (const b of blocks.filter((x) => !x.optedOut))
      expect({ at: `${b.file}:${b.line}`, error: parseError(b.text) }).toEqual({ at: `${b.file}:${b.line}`, error: undefined });
  });

  it.each(configs.map((b) => [`${b.file}:${b.line}`, b] as const))('%s is accepted by the config loader', (_at, b) => {
    const whole = asWholeConfig(b.text);
    let error: string | undefined;
    try {
      parseConfig(BUILT_IN, whole, `${b.file}:${b.line}`, { env: exampleEnv(whole) });
    } catch (err) {
      error = (err as Error).message;
    }
    expect(error).toBeUndefined();
  });
});

describe('what counts as a config block', () => {
  const md = [
    'Intro',
    '',
    '```yaml',
    'version: 1',
    'suite: x',
    '```',
    '',
    '<!-- not-a-config -->',
    '',
    '```yaml',
    'gates: {}',
    '```',
    '```yaml',
    'on: push',
    '```',
  ].join('\n');

  it('reads each block with the line of its fence, and honours the opt-out comment right before it', () => {
    expect(yamlOf(fencedBlocks('x.md', md))).toEqual([
      { file: 'x.md', line: 3, text: 'version: 1\nsuite: x', optedOut: false },
      { file: 'x.md', line: 10, text: 'gates: {}', optedOut: true },
      { file: 'x.md', line: 13, text: 'on: push', optedOut: false },
    ]);
  });

  it('takes version, sources or gates at the top level as the mark of a config, nothing else', () => {
    expect(looksLikeConfig('version: 1')).toBe(true);
    expect(looksLikeConfig('gates:\n  tenants: { source: appdb }')).toBe(true);
    expect(looksLikeConfig('sources:\n  a: { type: csv, path: x }')).toBe(true);
    expect(looksLikeConfig('signals:\n  latency: {}')).toBe(false);
    expect(looksLikeConfig('- run: npx saas-readiness run')).toBe(false);
  });

  it('refuses a broken example: the loader really runs', () => {
    expect(() => parseConfig(BUILT_IN, asWholeConfig('gates:\n  tenants: { source: nowhere, minTenants: 10 }'), 'x.md:1', { resolveEnv: false })).toThrow(
      /nowhere/,
    );
  });
});

function parseError(text: string): string | undefined {
  try {
    load(text);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
