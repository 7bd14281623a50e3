#!/usr/bin/env node
import { BUILT_IN } from '../lambda/registry';
/**
 * The readiness suite guarding its billing automation: the readiness stack of readiness.yaml with
 * a deploy hook, and the example billing stack it holds while the suite is not READY.
 *
 *   npx cdk deploy --all --app "npx tsx examples/guarded-app.ts"
 *
 * The readiness stack deploys first (the billing stack depends on it), so the hook is active before
 * the billing stack's first deployment; `cdk deploy <suite>-billing` is then answered by the hook.
 */
import { resolve } from 'node:path';
import { App, type Environment } from 'aws-cdk-lib';
import { loadConfigFile } from '../lambda/core/config/load';
import { ReadinessStack } from '../lib/readiness-stack';
import { BillingStack } from './billing-stack';

export function addGuardedBillingApp(
  app: App,
  opts: { configFile?: string; env?: NodeJS.ProcessEnv } = {},
): { readiness: ReadinessStack; billing: BillingStack } {
  const synthEnv = opts.env ?? process.env;
  const config = loadConfigFile(BUILT_IN, resolve(opts.configFile ?? 'readiness.yaml'), { resolveEnv: false, env: synthEnv });
  const { suite } = config.config;
  const env: Environment = { account: synthEnv.CDK_DEFAULT_ACCOUNT, region: synthEnv.CDK_DEFAULT_REGION };
  const billingName = `${suite}-billing`;
  const readiness = new ReadinessStack(app, `${suite}-readiness`, { config, env, deployHook: { guardedStacks: [billingName], failureMode: 'FAIL' } });
  const billing = new BillingStack(app, billingName, { env });
  // The hook must exist before the stack it guards is first created.
  billing.addDependency(readiness, 'the deploy hook that guards it');
  return { readiness, billing };
}

if (require.main === module) {
  const app = new App();
  addGuardedBillingApp(app);
  app.synth();
}
