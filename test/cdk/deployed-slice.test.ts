/**
 * The CLI and a deployed function judge a gate by the same values from one readiness.yaml: a
 * gate reads only its own config, and what it shares with another gate is resolved when the
 * config is loaded, before the stack cuts each function's slice. Before the registry, gate 4
 * fell back to gates.tenants.minTenants at run time: the CLI counted against 3 tenants, the
 * deployed function (whose slice holds only gate 4) against 10.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigFile, parseConfig } from '../../lambda/core/config/load';
import { Registry } from '../../lambda/core/registry';
import { BUILT_IN } from '../../lambda/registry';
import { planDeployment } from '../../lib/deployment-plan';

const YAML = `version: 1
suite: parity
sources:
  appdb: { type: postgres, secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:parity/appdb-AbCdEf" }
  registry: { type: dynamodb, table: TenantDetails }
  bill: { type: costexplorer }
  datadog: { type: datadog, apiKey: "\${secret:arn:aws:secretsmanager:us-east-1:123456789012:secret:parity/dd-Gh1Jk2#apiKey}", appKey: "\${secret:arn:aws:secretsmanager:us-east-1:123456789012:secret:parity/dd-Gh1Jk2#appKey}" }
gates:
  tenants: { source: registry, minTenants: 3 }
  cost: { ledger: { source: appdb }, aws: { source: bill } }
  config: { source: appdb }
  monitoring: { datadog: { source: datadog, env: prod } }
`;

describe('one readiness.yaml, the same thresholds in the CLI and in each deployed function', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'sr-parity-')), 'readiness.yaml');
  writeFileSync(file, YAML);
  const cli = loadConfigFile(BUILT_IN, file, { env: {} }).config;
  const plan = planDeployment(loadConfigFile(BUILT_IN, file, { resolveEnv: false, env: {} }), { historyTable: 'History' });
  /** The gate's config as its function loads it: from its slice, with a registry of that gate and its sources only (as bundled). */
  const deployed = (id: string) => {
    const gatePlan = plan.gates.find((g) => g.id === id)!;
    const own = BUILT_IN.sources.filter((s) => gatePlan.bundle.sources.includes(s.module));
    return parseConfig(new Registry([BUILT_IN.gate(id)!], own), gatePlan.configJson, 'SAAS_READINESS_CONFIG', { env: {} }).config.gates[id];
  };

  it('gate 4 counts tenants against gates.tenants.minTenants in both (was: 3 in the CLI, 10 deployed)', () => {
    expect(cli.gates.monitoring?.minTenants).toBe(3);
    expect(deployed('monitoring')?.minTenants).toBe(3);
  });

  it.each(BUILT_IN.gateIds.map((id) => [id]))('%s: the deployed function resolves exactly the config the CLI does', (id) => {
    const gate = BUILT_IN.gate(id)!;
    const expected = gate.deployment.history?.(cli.gates[id]!, 'History').config ?? cli.gates[id];
    expect(deployed(id)).toEqual(expected);
  });
});
