import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CheckResult } from '../../lambda/core/result';
import type { RunReport } from '../../lambda/core/runner';
import { runCli, type CliRun } from '../support/cli';

export interface MonitoringRun {
  run: CliRun;
  report: RunReport;
  result: CheckResult;
  criterion(id: string): CheckResult['criteria'][number];
}

/** Runs `saas-readiness run --check monitoring --format json` on a readiness.yaml written to a temp dir. */
export async function runMonitoring(yaml: string, env: NodeJS.ProcessEnv = {}, args: string[] = []): Promise<MonitoringRun> {
  const dir = mkdtempSync(join(tmpdir(), 'monitoring-'));
  try {
    writeFileSync(join(dir, 'readiness.yaml'), yaml);
    const run = await runCli(['run', '--config', 'readiness.yaml', '--check', 'monitoring', '--format', 'json', '--quiet', ...args], { env, cwd: dir });
    if (!run.stdout.trim().startsWith('{')) throw new Error(`no JSON report (exit ${run.code}): ${run.stderr}`);
    const report = JSON.parse(run.stdout) as RunReport;
    const result = report.results.find((r) => r.gate === 'monitoring')!;
    return {
      run,
      report,
      result,
      criterion: (id) => {
        const c = result.criteria.find((x) => x.id === id);
        if (!c) throw new Error(`no criterion ${id} in ${result.criteria.map((x) => x.id).join(', ')}`);
        return c;
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the CLI on a config that must be refused; returns stderr (exit code 2 is asserted). */
export async function runExpectingUsage(yaml: string, env: NodeJS.ProcessEnv): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'monitoring-'));
  try {
    writeFileSync(join(dir, 'readiness.yaml'), yaml);
    const run = await runCli(['run', '--config', 'readiness.yaml'], { env, cwd: dir });
    if (run.code !== 2) throw new Error(`expected exit 2, got ${run.code}: ${run.stdout}${run.stderr}`);
    return run.stderr;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const datadogYaml = (extra = '') => `version: 1
suite: mon-test
sources:
  dd:
    type: datadog
    apiKey: \${env:DATADOG_API_KEY:-}
    appKey: \${env:DATADOG_APP_KEY:-}
    apiUrl: \${env:DD_URL}
gates:
  monitoring:
    timeoutSeconds: 20
    datadog:
      source: dd
      env: prod
${extra}`;

export const newRelicYaml = (extra = '') => `version: 1
suite: mon-test
sources:
  nr:
    type: newrelic
    apiKey: \${env:NEW_RELIC_KEY:-}
    accountId: \${env:NEW_RELIC_ACCOUNT_ID:-}
    apiUrl: \${env:NR_URL}
gates:
  monitoring:
    timeoutSeconds: 20
    newrelic:
      source: nr
${extra}`;

export const cloudWatchYaml = (extra = '') => `version: 1
suite: mon-test
sources:
  aws:
    type: cloudwatch
    region: eu-west-1
gates:
  monitoring:
    timeoutSeconds: 20
    cloudwatch:
      source: aws
      tenantMetric:
        namespace: SaaS/Api
        metricName: Requests
${extra}`;
