import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, UpdateItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { setEnv } from '../standins/dynalite';
import { runGate } from '../support/gate';
import { runCli } from '../support/cli';
import { describeWithMoto, startMoto, type MotoServer } from '../support/moto';
import { createTenantDetails, generatedTenantDetailsName, putItems, sbtAwsItem } from '../standins/sbt-aws';

/**
 * Second opinion (moto, an independent emulator) on gate 1's DynamoDB adapter, over TenantDetails
 * laid out exactly as sbt-aws creates it: generated name, key schema, index, item types.
 */
describeWithMoto('gate 1 on an sbt-aws TenantDetails table (moto)', () => {
  let moto: MotoServer;
  let client: DynamoDBClient;
  let restoreEnv: () => void;
  const table = generatedTenantDetailsName();
  const env = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIDLOCALTEST', AWS_SECRET_ACCESS_KEY: 'local-test-secret' };
  let provisioning: Record<string, AttributeValue>;

  beforeAll(async () => {
    moto = await startMoto();
    restoreEnv = setEnv({ ...env, AWS_ENDPOINT_URL_DYNAMODB: moto.endpoint });
    client = new DynamoDBClient({
      endpoint: moto.endpoint,
      region: env.AWS_REGION,
      credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
    });
    await createTenantDetails(client, table, { pitr: true });
    const config = (rpm: number) => ({ userPoolId: 'MY_SAAS_APP_USERPOOL_ID', apiGatewayUrl: 'MY_API_GATEWAY_URL', quotas: { requestsPerMinute: rpm } });
    provisioning = sbtAwsItem({ tenantName: 'tenant-provisioning', config: null });
    await putItems(client, table, [
      ...Array.from({ length: 11 }, (_, i) => sbtAwsItem({ tenantName: `tenant${i}`, tier: i < 3 ? 'premium' : 'basic', config: config(60 + i) })),
      sbtAwsItem({ tenantName: 'tenant-offboarded', config: config(60), active: false }),
      provisioning,
    ]);
  }, 60_000);
  afterAll(async () => {
    restoreEnv?.();
    client?.destroy();
    await moto?.stop();
  });

  const gate = { source: 'registry', minTenants: 10, quotaPaths: ['tenantConfig.quotas.requestsPerMinute'] };
  const run = (extra: Record<string, unknown> = {}) =>
    runGate({ sources: { registry: { type: 'dynamodb', table, layout: 'sbt-aws' } }, gates: { tenants: { ...gate, ...extra } } }, 'tenants');

  it('counts deleted tenants as not active and names the one whose provisioning has not written tenantConfig yet', async () => {
    const { result } = await run({ scanSegments: 3 });
    const byId = Object.fromEntries(result.criteria.map((c) => [c.id, c]));
    expect(byId['active-tenants']).toMatchObject({ status: 'PASS', summary: '12 active tenants (1 more not active)' });
    expect(byId['active-tenants'].evidence?.[0]).toMatch(
      new RegExp(`^13 tenants in DynamoDB table ${table} \\(\\d+ pages, 3 segments\\); active means sbtaws_active in \\(true, active\\)$`),
    );
    expect(byId['config-records']).toMatchObject({ status: 'FAIL', summary: `1 active tenant has no config record: ${provisioning.tenantId.S}` });
    expect(byId.quotas.summary).toBe(
      `1 active tenant lacks a positive quota in tenantConfig.quotas.requestsPerMinute: ${provisioning.tenantId.S} (tenantConfig.quotas.requestsPerMinute is absent)`,
    );
  });

  it('PASSes once provisioning has set tenantConfig (a JSON string, as the provisioning job exports it)', async () => {
    await client.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { tenantId: provisioning.tenantId },
        UpdateExpression: 'SET tenantConfig = :c',
        ExpressionAttributeValues: { ':c': { S: JSON.stringify({ userPoolId: 'p', quotas: { requestsPerMinute: 30 } }, null, 2) } },
      }),
    );
    const { result } = await run();
    expect(result.status).toBe('PASS');
    expect(result.summary).toBe('12 active tenants with unique IDs, config records and positive quotas');
  });

  it('is ERROR with the way to the generated name when the config says the literal TenantDetails', async () => {
    const { result } = await runGate({ sources: { registry: { type: 'dynamodb', table: 'TenantDetails' } }, gates: { tenants: gate } }, 'tenants');
    expect(result.status).toBe('ERROR');
    expect(result.summary).toMatch(
      /^tenant store: DynamoDB table 'TenantDetails' not found in us-east-1 \(ResourceNotFoundException\); sbt-aws creates TenantDetails without a tableName/,
    );
  });

  it('reads the table named by ${env:TENANT_DETAILS_TABLE}, as the README and the starter config write it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sr-sbt-aws-'));
    writeFileSync(
      join(dir, 'readiness.yaml'),
      'version: 1\nsuite: t\nsources:\n  registry: { type: dynamodb, table: "${env:TENANT_DETAILS_TABLE}", layout: sbt-aws }\n' +
        'gates:\n  tenants: { source: registry, minTenants: 10, quotaPaths: [tenantConfig.quotas.requestsPerMinute] }\n',
    );
    const cli = await runCli(['run', '--format', 'json'], {
      cwd: dir,
      env: { ...env, AWS_ENDPOINT_URL_DYNAMODB: moto.endpoint, TENANT_DETAILS_TABLE: table },
    }).finally(() => rmSync(dir, { recursive: true, force: true }));
    const report = JSON.parse(cli.stdout);
    expect(report.results[0]).toMatchObject({ gate: 'tenants', status: 'PASS' });
    expect(cli.code).toBe(0);
  });
});
