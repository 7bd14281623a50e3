/**
 * The deployed stack, measured: synth time of the readiness app vs a minimal one-function app in
 * the same run, the resource count, and the monthly cost at the default schedules, itemised with
 * its arithmetic. Each gate's bundle is measured in bundles.ts.
 */
import { monthlyCostOf, RUN_ASSUMPTIONS } from '../lib/monthly-cost';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
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
      // From the synthesized template's resources (lib/monthly-cost.ts); docs/costs.md explains each line.
      monthlyCostUsd: { defaultExample: { gates: deployed, ...monthlyCostOf(template) }, assumptions: RUN_ASSUMPTIONS },
    };
  } finally {
    rmSync(readinessOut, { recursive: true, force: true });
    rmSync(minimalOut, { recursive: true, force: true });
  }
}
