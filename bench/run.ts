/**
 * `npm run bench`: every benchmark in one run, printed as tables and written to docs/benchmarks.md
 * with the machine described. Every figure is a ratio or stands next to its baseline from this run.
 */
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchTenants, type TenantsBenchRow } from './tenants';
import { benchCost } from './cost';
import { benchExports } from './exports';
import { benchConfig } from './config';
import { benchMonitoring } from './monitoring';
import { benchBundles } from './bundles';
import { benchCdk } from './cdk';
import { benchNagOverhead } from './nag-overhead';
import { benchHook } from './hook';
import { benchMemory, type MemoryRow } from './memory';
import { ensureBuilt, ROOT } from './measure';
import { benchSideBySide, type SideBySideRow } from './side-by-side';

const LAMBDA_MEMORY_MB = 256;

function machine(): string[] {
  const pg = (() => {
    try {
      return execFileSync('psql', ['--version'], { encoding: 'utf8' }).trim();
    } catch {
      return 'no psql client';
    }
  })();
  return [
    `- date: ${new Date().toISOString()}`,
    `- CPU: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
    `- memory: ${(totalmem() / 2 ** 30).toFixed(0)} GiB`,
    `- Node.js ${process.version} on ${process.platform}/${process.arch}; ${pg}`,
    '- databases and emulators run in processes of their own; gate figures are the gate process alone',
  ];
}

const cell = (v: unknown) => (v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v)).replace(/\|/g, '\\|');

function isRows(v: unknown): v is Record<string, unknown>[] {
  return Array.isArray(v) && v.length > 0 && v.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x));
}

function rowsTable(rows: Record<string, unknown>[]): string[] {
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return [`| ${cols.join(' | ')} |`, `|${cols.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${cols.map((c) => cell(r[c] ?? '')).join(' | ')} |`)];
}

/**
 * Renders a benchmark's JSON result: scalars as a two-column table of dotted paths, and every
 * list of records (per-store rows, per-bundle figures, cost lines) as a table of its own.
 */
function table(value: unknown): string[] {
  if (isRows(value)) return rowsTable(value);
  const scalars: [string, string][] = [];
  const tables: [string, Record<string, unknown>[]][] = [];
  const walk = (v: unknown, path: string) => {
    if (isRows(v)) tables.push([path, v]);
    else if (v !== null && typeof v === 'object' && !Array.isArray(v)) for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k);
    else scalars.push([path, Array.isArray(v) ? v.join(', ') : String(v)]);
  };
  walk(value, '');
  const out = scalars.length ? ['| measure | value |', '|---|---|', ...scalars.map(([k, v]) => `| ${k} | ${cell(v)} |`)] : [];
  for (const [path, rows] of tables) out.push('', `**${path}**`, '', ...rowsTable(rows));
  return out;
}

function tenantsTable(rows: TenantsBenchRow[]): string[] {
  return [
    '| store | tenants | gate process wall | gate itself | peak RSS (gate process) | baseline | baseline time | gate ÷ baseline |',
    '|---|---:|---:|---:|---:|---|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.store} | ${r.tenants.toLocaleString('en')} | ${r.gate.wallMs.toFixed(0)} ms | ${r.gate.gateMs} ms | ${r.gate.peakRssMb.toFixed(0)} MB | ${r.baseline} | ${r.baselineMs.toFixed(0)} ms | ${(r.gate.gateMs / r.baselineMs).toFixed(1)}× |`,
    ),
  ];
}

async function section(title: string, run: () => Promise<unknown>, render: (v: any) => string[] = table): Promise<string[]> {
  process.stderr.write(`\nbench: ${title}…\n`);
  const t = Date.now();
  try {
    const value = await run();
    const lines = [`## ${title}`, '', ...render(value), '', `_(${((Date.now() - t) / 1000).toFixed(0)} s)_`, ''];
    process.stdout.write(`${lines.join('\n')}\n`);
    return lines;
  } catch (err) {
    const lines = [`## ${title}`, '', `**did not complete:** ${(err as Error).message}`, ''];
    process.stdout.write(`${lines.join('\n')}\n`);
    process.exitCode = 1;
    return lines;
  }
}

/** Sections of the current docs/benchmarks.md whose title ends "(by hand)": kept, as this run cannot redo them. */
function sectionsMeasuredByHand(): string[] {
  let text = '';
  try {
    text = readFileSync(join(ROOT, 'docs', 'benchmarks.md'), 'utf8');
  } catch {
    return [];
  }
  return text
    .split(/^(?=## )/m)
    .filter((section) => /^## .*\(by hand\)\n/.test(section))
    .flatMap((section) => [section.trimEnd(), '']);
}

async function main(): Promise<void> {
  ensureBuilt();
  const out: string[] = ['# Benchmarks', '', 'Written by `npm run bench` (bench/run.ts); numbers from one run on this machine:', '', ...machine(), ''];
  out.push(
    ...(await section('Issue 15: what users feel, side by side', benchSideBySide, (r: { rows: SideBySideRow[]; notes: string[]; load: string }) => [
      'Method: each row runs the command and its baseline as whole processes, alternating (command, baseline, command, …),',
      `${process.env.BENCH_RUNS ?? 9} times each after one warm-up of both, each under \`/usr/bin/time -v\` (elapsed wall clock and maximum`,
      'resident set size of the whole process, as the kernel reports them). The ratio is median ÷ median; ranges are min–max.',
      `The CLI runs compiled (dist/, as installed). Load average when the section started: ${r.load} on ${cpus().length} cores shared with other jobs,`,
      'so ranges are wide; rerun on a quiet machine for tighter figures.',
      '',
      ...rowsTable(r.rows as unknown as Record<string, unknown>[]),
      '',
      ...r.notes.map((n) => `- ${n}`),
    ])),
  );
  let tenantRows: TenantsBenchRow[] = [];
  out.push(
    ...(await section(
      'Gate 1 (tenants): 10,000 and 100,000 tenants',
      async () => (tenantRows = await benchTenants({ dynamoSizes: [10_000, 100_000] })),
      tenantsTable,
    )),
  );
  const over = tenantRows.filter((r) => r.gate.peakRssMb >= LAMBDA_MEMORY_MB);
  out.push(
    over.length
      ? `**Over the ${LAMBDA_MEMORY_MB} MB Lambda budget:** ${over.map((r) => `${r.store} ${r.tenants}`).join(', ')}`
      : `Every gate-1 process stayed under the ${LAMBDA_MEMORY_MB} MB Lambda budget (highest ${Math.max(...tenantRows.map((r) => r.gate.peakRssMb)).toFixed(0)} MB).`,
    '',
  );
  if (over.length) process.exitCode = 1;
  let costResult: Record<string, unknown> | undefined;
  out.push(...(await section('Gate 2 (cost): 1,000,000 ledger rows, 1,000 tenants', async () => (costResult = await benchCost()))));
  let exportsResult: { rows?: { path: string; gatePeakRssMb: number }[] } | undefined;
  out.push(
    ...(await section(
      'Gate 2 (cost): bill exports (1,000,000 line items direct, 10,000,000 through Athena) and Cost Explorer at 10,000 tenants',
      async () => (exportsResult = (await benchExports()) as typeof exportsResult),
    )),
  );
  const exportsOver = (exportsResult?.rows ?? []).filter((r) => r.gatePeakRssMb >= LAMBDA_MEMORY_MB);
  if (exportsOver.length) {
    out.push(`**Over the ${LAMBDA_MEMORY_MB} MB Lambda budget:** ${exportsOver.map((r) => r.path).join(', ')}`, '');
    process.exitCode = 1;
  }
  out.push(...(await section('Gate 3 (config): canary round trip and fingerprint', benchConfig)));
  out.push(...(await section('Gate 4 (monitoring): against local Datadog and NerdGraph endpoints', benchMonitoring)));
  let memoryRows: MemoryRow[] = [];
  out.push(...(await section('Gates 3 and 4: peak memory of the gate process at scale', async () => (memoryRows = await benchMemory()))));
  const costRss = Number((costResult as { peakRssMb?: unknown } | undefined)?.peakRssMb ?? 0);
  const heavy = [
    ...memoryRows.filter((r) => r.peakRssMb >= LAMBDA_MEMORY_MB).map((r) => `${r.gate} ${r.size}`),
    ...(costRss >= LAMBDA_MEMORY_MB ? ['cost'] : []),
  ];
  out.push(
    heavy.length
      ? `**Over the ${LAMBDA_MEMORY_MB} MB Lambda budget:** ${heavy.join(', ')}`
      : `Gates 2, 3 and 4 stayed under the ${LAMBDA_MEMORY_MB} MB Lambda budget too (gate 2 ${costRss} MB; ${memoryRows.map((r) => `${r.gate} at ${r.size}: ${r.peakRssMb} MB`).join('; ')}).`,
    '',
  );
  if (heavy.length) process.exitCode = 1;
  out.push(...(await section('Gate bundles: size and load time per gate vs a bare node', benchBundles)));
  out.push(...(await section('CDK app: synth time, resources, monthly cost', benchCdk)));
  out.push(...(await section('Deploy hook: decision time with 1 year of hourly history × 4 gates (dynalite)', benchHook)));
  out.push(...(await section('cdk-nag readiness pack: synth overhead on ~500 resources', () => benchNagOverhead())));
  out.push(...sectionsMeasuredByHand());
  mkdirSync(join(ROOT, 'docs'), { recursive: true });
  writeFileSync(join(ROOT, 'docs', 'benchmarks.md'), out.join('\n'));
  process.stderr.write(`\nbench: wrote docs/benchmarks.md\n`);
}

void main();
