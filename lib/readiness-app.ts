import { resolve } from 'node:path';
import type { App } from 'aws-cdk-lib';
import { loadConfigFile } from '../lambda/core/config/load';
import { ConfigError } from '../lambda/core/errors';
import type { GateId } from '../lambda/core/gate';
import type { Registry } from '../lambda/core/registry';
import { BUILT_IN } from '../lambda/registry';
import { ReadinessStack } from './readiness-stack';

/**
 * Deploy-only settings, read from CDK context (`-c key=value` or cdk.json) because readiness.yaml's
 * skeleton (version, suite, sources, gates) is shared by the CLI and fixed by the design:
 *
 * - `config`: path of readiness.yaml (default `readiness.yaml` in the working directory)
 * - `alarmEmail`: comma-separated emails for the "not ready" topic
 * - `changeEmail`: comma-separated emails told when a gate's result changed (default: alarmEmail)
 * - `securityHub`: `true` publishes the scheduled results to AWS Security Hub
 * - `subnetIds`, `securityGroupIds`: comma-separated IDs for VPC placement (both or neither)
 * - `probeScheduleHours`: opt in to active probes every N hours (1–24)
 * - `schedule:<gate>`: hours between scheduled runs of that gate (1–24)
 * - `runOnDeploy`: `false` skips the first run at deploy time
 * - `guardStacks`: comma-separated stack names the deploy hook holds while the suite is not READY
 * - `hookFailureMode`: `FAIL` (default) or `WARN`, what CloudFormation does with the hook's FAILED answer
 */
export function addReadinessStack(app: App, opts: { cwd?: string; env?: NodeJS.ProcessEnv; registry?: Registry } = {}): ReadinessStack {
  const env = opts.env ?? process.env;
  const registry = opts.registry ?? BUILT_IN;
  const ctx = (key: string): string | undefined => {
    const v = app.node.tryGetContext(key);
    return v === undefined || v === null || v === '' ? undefined : String(v);
  };
  const list = (key: string) =>
    ctx(key)
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const hours = (key: string): number | undefined => {
    const raw = ctx(key);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > 24) throw new ConfigError(`must be a whole number of hours from 1 to 24 (got '${raw}')`, `cdk context ${key}`);
    return n;
  };
  const file = resolve(opts.cwd ?? process.cwd(), ctx('config') ?? 'readiness.yaml');
  const config = loadConfigFile(registry, file, { resolveEnv: false, env });

  const subnetIds = list('subnetIds');
  const securityGroupIds = list('securityGroupIds');
  if (Boolean(subnetIds?.length) !== Boolean(securityGroupIds?.length)) {
    throw new ConfigError('set both subnetIds and securityGroupIds for VPC placement, or neither', 'cdk context');
  }
  const guardStacks = list('guardStacks');
  const hookFailureMode = ctx('hookFailureMode') ?? 'FAIL';
  if (hookFailureMode !== 'FAIL' && hookFailureMode !== 'WARN')
    throw new ConfigError(`must be FAIL or WARN (got '${hookFailureMode}')`, 'cdk context hookFailureMode');
  const scheduleHours: Partial<Record<GateId, number>> = {};
  for (const id of registry.gateIds) {
    const h = hours(`schedule:${id}`);
    if (h !== undefined) scheduleHours[id] = h;
  }
  return new ReadinessStack(app, `${config.config.suite}-readiness`, {
    config,
    registry,
    env: { account: env.CDK_DEFAULT_ACCOUNT, region: env.CDK_DEFAULT_REGION },
    alarmEmails: list('alarmEmail'),
    changeEmails: list('changeEmail'),
    securityHub: ctx('securityHub') === 'true',
    vpc: subnetIds?.length ? { subnetIds, securityGroupIds: securityGroupIds! } : undefined,
    scheduleHours,
    probeScheduleHours: hours('probeScheduleHours'),
    runOnDeploy: ctx('runOnDeploy') !== 'false',
    deployHook: guardStacks?.length ? { guardedStacks: guardStacks, failureMode: hookFailureMode } : undefined,
  });
}
