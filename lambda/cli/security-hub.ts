/**
 * `run --security-hub`: publishes the run's results as Security Hub findings in the account and
 * region of the AWS SDK environment (credentials chain, AWS_REGION, AWS_ENDPOINT_URL_SECURITYHUB).
 */
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { RunReport } from '../core/runner';
import { publishToSecurityHub, type PublishSummary } from '../sinks/security-hub';

export async function publishRunToSecurityHub(report: RunReport): Promise<PublishSummary & { account: string; region: string }> {
  const sts = new STSClient({});
  const hub = new SecurityHubClient({});
  try {
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    const account = identity.Account ?? '';
    const partition = identity.Arn?.split(':')[1] ?? 'aws';
    const region = await hub.config.region();
    const summary = await publishToSecurityHub(hub, report.suite, report.results, { accountId: account, region, partition });
    return { ...summary, account, region };
  } finally {
    sts.destroy();
    hub.destroy();
  }
}
