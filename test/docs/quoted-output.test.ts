/**
 * What the docs quote is what the tool prints. A fenced ```text block in README.md or docs/ must be
 * marked `<!-- output: NAME -->` (the line before it) with NAME one of the scenarios below, which
 * produce that output now and compare it; or `<!-- illustrative: WHY -->` where the text is not
 * ours to produce (CDK's own report layout). The demo's output is checked in demo-output.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { App, Stack, Tags } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { expectReadiness } from '../../lib/nag';
import { decide } from '../../lambda/hook/decision';
import { runCli } from '../support/cli';
import { DEMO_SCENARIOS, quotedBlocks } from './quoted-blocks';

const root = resolve(__dirname, '../..');

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'saas-readiness-docs-'));
}

async function cliIn(files: Record<string, string>, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const dir = tempDir();
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const run = await runCli(args, { cwd: dir, env });
    return run.stdout + run.stderr;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const CONFIG_WITH_A_WRONG_TYPE = `version: 1
suite: acme-rag
sources:
  appdb:
    type: postgres
    url: "\${env:DATABASE_URL}"
gates:
  tenants:
    source: appdb
    minTenants: ten
`;

/** The scenarios whose output the docs quote: each returns what the tool prints. */
const SCENARIOS: Record<string, () => Promise<string>> = {
  'config-error': () => cliIn({ 'readiness.yaml': CONFIG_WITH_A_WRONG_TYPE }, ['validate'], { DATABASE_URL: 'postgres://app@db.internal/app' }),
  help: async () => (await runCli(['--help'])).stdout,
  'connection-refused': () =>
    cliIn(
      {
        'readiness.yaml':
          'version: 1\nsuite: acme-rag\nsources:\n  appdb: { type: postgres, url: "postgres://app:S3cret@127.0.0.1:5999/app" }\ngates:\n  tenants: { source: appdb }\n',
      },
      ['run', '--quiet'],
    ),
  'hook-not-ready': async () => {
    const now = new Date('2026-11-28T12:00:00.000Z');
    const at = (iso: string) => ({ at: iso, run: 'scheduled' as const });
    return decide({
      operation: 'UPDATE',
      target: 'stack acme-rag-billing',
      suite: 'acme-rag',
      gates: [
        { id: 'tenants', maxAgeHours: 2 },
        { id: 'cost', maxAgeHours: 48 },
        { id: 'config', maxAgeHours: 2 },
        { id: 'monitoring', maxAgeHours: 2 },
      ],
      history: {
        verdicts: {
          tenants: { gate: 'tenants', status: 'PASS', summary: 'ok', ...at('2026-11-28T11:02:10.114Z') },
          cost: { gate: 'cost', status: 'FAIL', summary: 'AWS bill differs from the ledger by 8.0% (> 5%)', ...at('2026-11-28T06:00:03.870Z') },
          config: { gate: 'config', status: 'PASS', summary: 'ok', ...at('2026-11-28T11:02:09.530Z') },
          monitoring: { gate: 'monitoring', status: 'PASS', summary: 'ok', ...at('2026-11-28T11:02:11.021Z') },
        },
        acknowledgements: [],
      },
      failureMode: 'FAIL',
      dashboardUrl: 'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/acme-rag-readiness',
      now,
    }).message;
  },
  'nag-failing-test': async () => {
    const app = new App();
    const stack = new Stack(app, 'Saas');
    const indexer = new lambda.Function(stack, 'Indexer', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => {};'),
      logGroup: new logs.LogGroup(stack, 'IndexerLogs', { retention: logs.RetentionDays.ONE_MONTH }),
    });
    new sqs.Queue(stack, 'IngestQueue');
    Tags.of(indexer).add('tenant_id', 'shared');
    Tags.of(stack.node.findChild('IndexerLogs')).add('tenant_id', 'shared');
    try {
      expectReadiness(stack);
      return 'no findings';
    } catch (err) {
      return (err as Error).message;
    }
  },
};

/** Scenarios the docs quote in running text rather than in a block (checked by the last test). */
const QUOTED_INLINE = new Set(['config-error', 'connection-refused']);

describe('output quoted in the docs', () => {
  const blocks = quotedBlocks();

  it('every quoted block says where its text comes from', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    expect(blocks.filter((b) => !b.marker).map((b) => `${b.file}:${b.line}`)).toEqual([]);
    const names = new Set([...Object.keys(SCENARIOS), ...DEMO_SCENARIOS]);
    const unknown = blocks.filter((b) => b.marker?.startsWith('output: ') && !names.has(b.marker.slice(8)));
    expect(unknown.map((b) => `${b.file}:${b.line}: ${b.marker}`)).toEqual([]);
  });

  for (const [name, produce] of Object.entries(SCENARIOS)) {
    it(`${name}: the docs quote what the tool prints`, async () => {
      const quoted = blocks.filter((b) => b.marker === `output: ${name}`);
      expect(quoted.length > 0 || QUOTED_INLINE.has(name)).toBe(true);
      const output = await produce();
      for (const block of quoted) expect(output).toContain(block.text);
    }, 30_000);
  }

  it('inline quotes of the same messages match too', async () => {
    const configuration = readFileSync(join(root, 'docs/configuration.md'), 'utf8');
    const cli = readFileSync(join(root, 'docs/cli.md'), 'utf8');
    const configError = /`(readiness\.yaml:10: [^`]+)`/.exec(configuration)?.[1];
    const refused = /`(tenant store: PostgreSQL [^`]+)`/.exec(cli)?.[1];
    expect(await SCENARIOS['config-error']()).toContain(configError);
    expect(await SCENARIOS['connection-refused']()).toContain(refused);
  });
});
