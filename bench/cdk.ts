/**
 * The deployed stack, measured: synth time of the readiness app vs a minimal one-function app in
 * the same run, the resource count, and the monthly cost at the default schedules, itemised with
 * its arithmetic. Each gate's bundle is measured in bundles.ts.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BUILT_IN } from '../lambda/registry';
import { fmt, ROOT } from './measure';

const run = promisify(execFile);
const TSX = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

/** A one-function CDK app bundling a tiny entry with the same esbuild settings: the synth baseline. */
const MINIMAL_APP = `
import { App, Stack } from 'aws-cdk-lib';
import { Runtime, Architecture } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
const app = new App();
const stack = new Stack(app, 'Minimal');
new NodejsFunction(stack, 'Fn', { entry: ${JSON.stringify(join(ROOT, 'lambda', 'core', 'probes.ts'))}, runtime: Runtime.NODEJS_24_X,
  architecture: Architecture.ARM_64, bundling: { minify: true, sourceMap: true, target: 'node20', externalModules: [] } });
app.synth();
`;

async function timed(args: string[], outdir: string, context: Record<string, unknown> = {}): Promise<number> {
  const started = process.hrtime.bigint();
  await run(process.execPath, [TSX, ...args], {
    cwd: ROOT,
    maxBuffer: 1 << 24,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AWS_EC2_METADATA_DISABLED: 'true',
      CDK_OUTDIR: outdir,
      CDK_CONTEXT_JSON: JSON.stringify(context),
      // The example readiness.yaml names sbt-aws' generated TenantDetails table through this variable.
      TENANT_DETAILS_TABLE: 'ControlPlaneStack-ControlPlanetenantManagementServicetenantManagementTableTenantDetails5C4D3F2A-1Q2W3E4R5T6Y7',
    },
  });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function median(runs: number, step: () => Promise<number>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await step());
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

/** us-east-1 list prices (2025), without free tiers. */
const PRICE = {
  lambdaGbSecondArm: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  alarm: 0.1,
  compositeAlarm: 0.5,
  dashboard: 3,
  customMetric: 0.3,
  logsIngestGb: 0.5,
  dynamoWriteUnit: 0.625 / 1e6,
  s3Put: 0.005 / 1000,
  kmsKey: 1,
  xrayTrace: 5 / 1e6,
  costExplorerRequest: 0.01,
};

/** Assumptions of the cost model, stated so the arithmetic can be checked and redone. */
const ASSUME = {
  memoryGb: 0.25,
  /** Billed seconds per run (the as-deployed test runs gate 1 in about 1 s locally; AWS adds network). */
  secondsPerRun: 3,
  logBytesPerRun: 4_000,
  /** History record of 1–2 KB: 2 write units. */
  writeUnitsPerRun: 2,
  s3PutsPerRun: 2,
  /** GetCostAndUsage requests per cost run: one page per month of a window over two months (≤ a page of tenants); the gate stops at maxCostExplorerUsd ($0.25). */
  costExplorerRequestsPerRun: 2,
  /** Passed, Failed, Skipped, Errored, DurationMs and the key measurement. */
  metricsPerRunKind: 6,
  daysPerMonth: 30,
};

/** Monthly cost of a deployment of these gates at their default schedules, each line with its arithmetic. */
export function monthlyCost(gates: readonly string[]): { total: number; lines: { item: string; usd: number; arithmetic: string }[] } {
  const hours = (g: string) => BUILT_IN.gate(g)!.deployment.scheduleHours;
  const runs = gates.map((g) => (24 / hours(g)) * ASSUME.daysPerMonth);
  const totalRuns = runs.reduce((a, b) => a + b, 0);
  const costRuns = gates.includes('cost') ? (24 / hours('cost')) * ASSUME.daysPerMonth : 0;
  const gbs = totalRuns * ASSUME.secondsPerRun * ASSUME.memoryGb;
  const line = (item: string, usd: number, arithmetic: string) => ({ item, usd: Math.round(usd * 10_000) / 10_000, arithmetic });
  const lines = [
    line(
      'Lambda compute (arm64)',
      gbs * PRICE.lambdaGbSecondArm,
      `${totalRuns} runs × ${ASSUME.secondsPerRun} s × ${ASSUME.memoryGb} GB = ${gbs} GB-s × $${PRICE.lambdaGbSecondArm}`,
    ),
    line('Lambda requests', totalRuns * PRICE.lambdaRequest, `${totalRuns} × $0.20/1M`),
    line('EventBridge scheduled rules', 0, 'scheduled events on the default bus are free'),
    line(
      'CloudWatch alarms',
      gates.length * 2 * PRICE.alarm + PRICE.compositeAlarm,
      `${gates.length} gate(s) × 2 alarms (not passing, function errors) × $0.10 + 1 composite × $0.50`,
    ),
    line('CloudWatch dashboard', PRICE.dashboard, '1 × $3.00 (free if the account has fewer than 3 dashboards)'),
    line(
      'CloudWatch custom metrics',
      gates.length * ASSUME.metricsPerRunKind * PRICE.customMetric,
      `${gates.length} gate(s) × ${ASSUME.metricsPerRunKind} metrics × $0.30 (×2 per gate with the probe schedule)`,
    ),
    line(
      'CloudWatch Logs ingestion',
      (totalRuns * ASSUME.logBytesPerRun * PRICE.logsIngestGb) / 1e9,
      `${totalRuns} runs × ${ASSUME.logBytesPerRun} B × $0.50/GB`,
    ),
    line(
      'DynamoDB history writes (on demand)',
      totalRuns * ASSUME.writeUnitsPerRun * PRICE.dynamoWriteUnit,
      `${totalRuns} × ${ASSUME.writeUnitsPerRun} WRU × $0.625/1M (storage: a few MB a year)`,
    ),
    line('S3 report PUTs', totalRuns * ASSUME.s3PutsPerRun * PRICE.s3Put, `${totalRuns} × ${ASSUME.s3PutsPerRun} PUT × $0.005/1000 (storage: a few MB)`),
    line('KMS key of the alarm topic', PRICE.kmsKey, '1 customer-managed key × $1 (CloudWatch cannot publish to the AWS-managed SNS key)'),
    line('X-Ray traces', totalRuns * PRICE.xrayTrace, `${totalRuns} × $5/1M (inside the 100k/month free tier)`),
    line(
      'Cost Explorer requests',
      costRuns * ASSUME.costExplorerRequestsPerRun * PRICE.costExplorerRequest,
      `${costRuns} cost runs × ${ASSUME.costExplorerRequestsPerRun} requests × $0.01`,
    ),
  ];
  return { total: Math.round(lines.reduce((a, l) => a + l.usd, 0) * 100) / 100, lines };
}

export async function benchCdk(): Promise<Record<string, unknown>> {
  const readinessOut = mkdtempSync(join(tmpdir(), 'sr-bench-cdk-'));
  const minimalOut = mkdtempSync(join(tmpdir(), 'sr-bench-min-'));
  try {
    const readinessMs = await median(3, () => timed([join(ROOT, 'bin', 'app.ts')], readinessOut));
    const minimalMs = await median(3, () => timed(['-e', MINIMAL_APP], minimalOut));

    const manifest = JSON.parse(readFileSync(join(readinessOut, 'manifest.json'), 'utf8')) as { artifacts: Record<string, { type: string }> };
    const templateFile = Object.keys(manifest.artifacts).find((k) => manifest.artifacts[k].type === 'aws:cloudformation:stack')!;
    const template = JSON.parse(readFileSync(join(readinessOut, `${templateFile}.template.json`), 'utf8'));
    const resources = Object.values<any>(template.Resources);
    const functions = resources.filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.SAAS_READINESS_GATE);

    const deployed = functions.map((f) => f.Properties.Environment.Variables.SAAS_READINESS_GATE);
    const types: Record<string, number> = {};
    for (const r of resources) types[r.Type] = (types[r.Type] ?? 0) + 1;
    return {
      synth: {
        readinessApp: fmt.ms(readinessMs),
        minimalOneFunctionApp: fmt.ms(minimalMs),
        ratio: fmt.ratio(readinessMs, minimalMs),
        note: 'the app process as `cdk synth` runs it (tsx, esbuild bundling, cdk-nag), median of 3; the CDK CLI adds the same start-up to both',
      },
      resources: { total: resources.length, byType: types },
      monthlyCostUsd: {
        defaultExample: { gates: deployed, ...monthlyCost(deployed) },
        allFourGates: { gates: ['tenants', 'cost', 'config', 'monitoring'], ...monthlyCost(['tenants', 'cost', 'config', 'monitoring']) },
        assumptions: { ...ASSUME, prices: 'us-east-1 list prices, free tiers ignored' },
      },
    };
  } finally {
    rmSync(readinessOut, { recursive: true, force: true });
    rmSync(minimalOut, { recursive: true, force: true });
  }
}
