#!/usr/bin/env node
/** The CDK app: `npx cdk deploy [-c config=readiness.yaml] [-c alarmEmail=ops@example.com]`. */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { ConfigError } from '../lambda/core/errors';
import { redact } from '../lambda/core/redact';
import { addReadinessStack } from '../lib/readiness-app';

const app = new App();
try {
  addReadinessStack(app);
} catch (err) {
  // The same one-line message as `saas-readiness validate`, without a stack trace.
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`saas-readiness: ${redact(err.shownIn(process.cwd()))}\n`);
  process.exit(1);
}
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
app.synth();
