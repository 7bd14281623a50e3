import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { gzipSync } from 'node:zlib';
import { formatDecimal } from '../../lambda/checks/cost/money';
import type { AwsBillQuery } from '../../lambda/checks/cost/ports';
import type { CostWindow } from '../../lambda/checks/cost/window';
import { SecretsManagerResolver } from '../../lambda/core/secrets';
import { CostExplorerBill } from '../../lambda/sources/costexplorer/bill';
import { CurBill } from '../../lambda/sources/cur/bill';
import { setEnv } from '../standins/dynalite';
import { describeWithMoto, startMoto, type MotoServer } from '../support/moto';
import { curCsv } from '../standins/cur';

/**
 * Gate 2's AWS paths against moto, an emulator written independently of this project: the real
 * SDK clients inside the adapters, pointed at moto with AWS_ENDPOINT_URL_*. moto's Cost Explorer
 * is transport-level (it answers queued results, one per distinct request body, without grouping
 * or validation), so it checks what the adapter sends and how it reads pages, not the arithmetic.
 */
const QUERY: AwsBillQuery = { tagKey: 'tenant_id', metric: 'UnblendedCost', excludeRecordTypes: ['Credit', 'Refund', 'Tax'] };
const MAY: CostWindow = { from: '2024-05-01', to: '2024-05-31', label: 'test' };
const never = new AbortController().signal;
const amounts = (groups: Map<string, bigint>) => Object.fromEntries([...groups].map(([k, v]) => [k, formatDecimal(v, 2)]));

const group = (tag: string, amount: string) => ({ Keys: [`tenant_id$${tag}`], Metrics: { UnblendedCost: { Amount: amount, Unit: 'USD' } } });
const page = (groups: ReturnType<typeof group>[], token?: string) => ({
  GroupDefinitions: [{ Type: 'TAG', Key: 'tenant_id' }],
  ResultsByTime: [{ TimePeriod: { Start: '2024-05-01', End: '2024-06-01' }, Total: {}, Groups: groups, Estimated: false }],
  DimensionValueAttributes: [],
  ...(token ? { NextPageToken: token } : {}),
});

describeWithMoto('gate 2 AWS paths against moto', () => {
  let moto: MotoServer;
  let restore: () => void;
  beforeAll(async () => {
    moto = await startMoto();
    restore = setEnv({
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDMOTOTEST',
      AWS_SECRET_ACCESS_KEY: 'moto-test-secret',
      AWS_MAX_ATTEMPTS: '1',
    });
  });
  afterAll(async () => {
    restore();
    await moto.stop();
  });
  beforeEach(() => moto.reset());

  /** Queues GetCostAndUsage answers: moto hands the next one to each request body it has not seen. */
  async function queueCostAndUsage(results: unknown[]): Promise<void> {
    const res = await fetch(`${moto.endpoint}/moto-api/static/ce/cost-and-usage-results`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ results }),
    });
    expect(res.status).toBe(201);
  }

  it('Cost Explorer: the adapter pages through NextPageToken and reads tag keys, string amounts and the untagged group', async () => {
    await queueCostAndUsage([page([group('acme', '100.0000000000'), group('', '1.5000000000')], 'page-2'), page([group('globex', '50.25')])]);
    const bill = new CostExplorerBill({ type: 'costexplorer' }, QUERY);
    try {
      const out = await bill.fetch(MAY, never);
      expect(amounts(out.groups)).toEqual({ acme: '100.00', '': '1.50', globex: '50.25' });
      expect(out.requests).toEqual({ count: 2, cost: 20_000_000_000n, throttled: 0 });
    } finally {
      bill.close();
    }
  });

  it('Cost Explorer: an empty answer (no periods for the window) is an ERROR, never an empty bill', async () => {
    const bill = new CostExplorerBill({ type: 'costexplorer' }, QUERY);
    try {
      await expect(bill.fetch(MAY, never)).rejects.toThrow(
        "Cost Explorer's answer leaves 2024-05-01..2024-05-31 of the window 2024-05-01..2024-05-31 out: those days were not measured",
      );
    } finally {
      bill.close();
    }
  });

  it('STS: roleArn with an ExternalId is assumed through moto, and Cost Explorer is read with the role', async () => {
    await queueCostAndUsage([page([group('acme', '7')])]);
    const bill = new CostExplorerBill({ type: 'costexplorer', roleArn: 'arn:aws:iam::123456789012:role/cost-reader', externalId: 'ext-123' }, QUERY);
    try {
      expect(amounts((await bill.fetch(MAY, never)).groups)).toEqual({ acme: '7.00' });
    } finally {
      bill.close();
    }
  });

  it('S3: a gzip CUR 2.0 export is read from a bucket in another Region, by path', async () => {
    const s3 = new S3Client({ region: 'eu-west-1', endpoint: moto.endpoint, forcePathStyle: true });
    try {
      await s3.send(new CreateBucketCommand({ Bucket: 'cur-exports', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
      const csv = curCsv(
        [
          { day: '2024-05-02', tag: 'acme', cost: '10.5' },
          { day: '2024-05-03', cost: '2' },
        ],
        { format: 'cur2' },
      );
      await s3.send(new PutObjectCommand({ Bucket: 'cur-exports', Key: 'data/BILLING_PERIOD=2024-05/part-1.csv.gz', Body: gzipSync(csv) }));
    } finally {
      s3.destroy();
    }
    const out = await new CurBill({ type: 'cur', path: 's3://cur-exports/data/BILLING_PERIOD=2024-05/part-1.csv.gz' }, QUERY).fetch(MAY, never);
    expect(amounts(out.groups)).toEqual({ acme: '10.50', '': '2.00' });
  });

  it('Secrets Manager: ${secret:ARN#key} is read in the Region the ARN names, and by name in the SDK Region', async () => {
    const eu = new SecretsManagerClient({ region: 'eu-west-1', endpoint: moto.endpoint });
    const us = new SecretsManagerClient({ region: 'us-east-1', endpoint: moto.endpoint });
    try {
      const { ARN } = await eu.send(new CreateSecretCommand({ Name: 'prod/openai', SecretString: '{"admin":"sk-admin-from-moto"}' }));
      await us.send(new CreateSecretCommand({ Name: 'prod/db', SecretString: '{"password":"db-from-moto"}' }));
      const resolver = new SecretsManagerResolver();
      await expect(resolver.resolve(`\${secret:${ARN}#admin}`)).resolves.toBe('sk-admin-from-moto');
      await expect(resolver.resolve('${secret:prod/db#password}')).resolves.toBe('db-from-moto');
      await expect(resolver.resolve('${secret:prod/none}')).rejects.toThrow(/^cannot read secret prod\/none: ResourceNotFoundException/);
    } finally {
      eu.destroy();
      us.destroy();
    }
  });
});
