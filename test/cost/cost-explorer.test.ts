import { CostExplorerBill } from '../../lambda/sources/costexplorer/bill';
import { formatDecimal, parseMoney } from '../../lambda/checks/cost/money';
import { SourceError } from '../../lambda/core/errors';
import type { AwsBillQuery } from '../../lambda/checks/cost/ports';
import type { CostWindow } from '../../lambda/checks/cost/window';
import { setEnv } from '../standins/dynalite';
import { httpFaultServer } from '../support/faults';
import { startCostExplorer, type CeLineItem, type CostExplorerOptions } from '../standins/costexplorer';
import { startSts } from '../standins/sts';

const QUERY: AwsBillQuery = { tagKey: 'tenant_id', metric: 'UnblendedCost', excludeRecordTypes: ['Credit', 'Refund', 'Tax'] };
const WINDOW: CostWindow = { from: '2024-04-20', to: '2024-05-10', label: 'test' };
/** Cost Explorer's current date in these tests: the window is within its history (CE-7). */
const TODAY = '2024-06-15';
const never = new AbortController().signal;

async function withCe<T>(
  opts: Omit<CostExplorerOptions, 'today'>,
  fn: (ce: Awaited<ReturnType<typeof startCostExplorer>>) => Promise<T>,
  env: Record<string, string> = {},
): Promise<T> {
  const ce = await startCostExplorer({ today: TODAY, ...opts });
  const restore = setEnv({
    AWS_ENDPOINT_URL_COST_EXPLORER: ce.endpoint,
    AWS_ACCESS_KEY_ID: 'AKIDLOCALTEST',
    AWS_SECRET_ACCESS_KEY: 'local-test-secret',
    AWS_REGION: 'us-east-1',
    ...env,
  });
  try {
    return await fn(ce);
  } finally {
    restore();
    await ce.stop();
  }
}

const amounts = (groups: Map<string, bigint>) => Object.fromEntries([...groups].map(([k, v]) => [k, formatDecimal(v, 10)]));

describe('CostExplorerBill against a local JSON 1.1 Cost Explorer', () => {
  const items: CeLineItem[] = [
    { day: '2024-04-19', tag: 'acme', amount: '1000' }, // the day before the window
    { day: '2024-04-20', tag: 'acme', amount: '10.1234567891' },
    { day: '2024-04-30', tag: 'acme', amount: '5.5' },
    { day: '2024-05-01', tag: 'acme', amount: '4.4' },
    { day: '2024-05-02', tag: 'globex', amount: '20' },
    { day: '2024-05-03', tag: 'globex', amount: '-7', recordType: 'Credit' },
    { day: '2024-05-03', tag: 'globex', amount: '1.6', recordType: 'Tax' },
    { day: '2024-04-25', tag: 'initech', amount: '3' },
    { day: '2024-05-05', tag: 'shared', amount: '8' },
    { day: '2024-05-06', amount: '2.25' }, // untagged
    { day: '2024-05-10', tag: 'initech', amount: '0.0000000001' }, // the last day counts
    { day: '2024-05-11', tag: 'initech', amount: '500' }, // the day after --to must not count
  ];

  it('follows every page (a period split across pages), keeps untagged spend, excludes credits and tax, flags estimates', async () => {
    await withCe({ items, pageSize: 2, estimatedAfter: '2024-05-09' }, async (ce) => {
      const bill = new CostExplorerBill({ type: 'costexplorer' }, QUERY);
      try {
        const out = await bill.fetch(WINDOW, never);
        expect(amounts(out.groups)).toEqual({
          acme: '20.0234567891',
          globex: '20.0000000000',
          initech: '3.0000000001',
          shared: '8.0000000000',
          '': '2.2500000000',
        });
        // April has 2 groups (acme, initech), May has 5 → 7 groups over pages of 2 = 4 requests.
        expect(ce.requests).toHaveLength(4);
        expect(out.requests).toEqual({ count: 4, cost: 40_000_000_000n, throttled: 0 });
        expect(out.estimated).toEqual(['2024-05-01..2024-05-10']);
        const first = ce.requests[0].body;
        expect(first.TimePeriod).toEqual({ Start: '2024-04-20', End: '2024-05-11' });
        expect(first.Granularity).toBe('MONTHLY');
        expect(first.GroupBy).toEqual([{ Type: 'TAG', Key: 'tenant_id' }]);
        expect(first.Filter).toEqual({ Not: { Dimensions: { Key: 'RECORD_TYPE', Values: ['Credit', 'Refund', 'Tax'] } } });
        expect(ce.requests.slice(1).every((r) => typeof r.body.NextPageToken === 'string')).toBe(true);
      } finally {
        bill.close();
      }
    });
  });

  it("stops before a page that would pass the run's budget (maxCostExplorerUsd) and points to the exports, having paid only what it says", async () => {
    await withCe({ items, pageSize: 2 }, async (ce) => {
      const bill = new CostExplorerBill({ type: 'costexplorer' }, QUERY, parseMoney('0.03'));
      try {
        const err = await bill.fetch(WINDOW, never).then(
          () => undefined,
          (e: SourceError) => e,
        );
        expect(err).toBeInstanceOf(SourceError);
        expect(err!.message).toBe(
          "stopped before page 4 of Cost Explorer's answer: 3 request(s) made ($0.03, 4 tag value(s) read) and the next would pass maxCostExplorerUsd $0.03",
        );
        expect(err!.remediation).toMatch(/dataexport source .* athena source/);
        expect(ce.requests).toHaveLength(3);
      } finally {
        bill.close();
      }
      const enough = new CostExplorerBill({ type: 'costexplorer' }, QUERY, parseMoney('0.04'));
      try {
        expect((await enough.fetch(WINDOW, never)).requests?.count).toBe(4);
      } finally {
        enough.close();
      }
    });
  });

  it('includes credits when no record type is excluded, and filters linked accounts', async () => {
    const withAccounts: CeLineItem[] = [...items, { day: '2024-05-02', tag: 'globex', amount: '99', account: '222222222222' }];
    await withCe({ items: withAccounts }, async (ce) => {
      const bill = new CostExplorerBill({ type: 'costexplorer' }, { ...QUERY, excludeRecordTypes: [], linkedAccounts: ['111111111111'] });
      try {
        const out = await bill.fetch(WINDOW, never);
        expect(formatDecimal(out.groups.get('globex')!, 2)).toBe('14.60');
        expect(ce.requests[0].body.Filter).toEqual({ Dimensions: { Key: 'LINKED_ACCOUNT', Values: ['111111111111'] } });
      } finally {
        bill.close();
      }
    });
  });

  it('retries throttling (LimitExceededException) with the SDK strategy, then succeeds', async () => {
    await withCe({ items, script: ['LimitExceededException', 'ThrottlingException', null] }, async (ce) => {
      const bill = new CostExplorerBill({ type: 'costexplorer', maxAttempts: 3 }, QUERY);
      try {
        const out = await bill.fetch(WINDOW, never);
        expect(ce.requests).toHaveLength(3);
        expect(out.requests).toEqual({ count: 1, cost: 10_000_000_000n, throttled: 2 });
        expect(formatDecimal(out.groups.get('acme')!, 2)).toBe('20.02');
      } finally {
        bill.close();
      }
    });
  });

  it('ERRORs naming throttling when the retries are exhausted', async () => {
    await withCe({ items, always: 'LimitExceededException' }, async (ce) => {
      const bill = new CostExplorerBill({ type: 'costexplorer', maxAttempts: 2 }, QUERY);
      try {
        const err = await bill.fetch(WINDOW, never).then(
          () => undefined,
          (e) => e,
        );
        expect(err).toBeInstanceOf(SourceError);
        expect(err.message).toMatch(/throttled the requests \(LimitExceededException\) and the retries were exhausted \(2 attempts made:/);
        expect(err.remediation).toMatch(/maxAttempts/);
        expect(ce.requests).toHaveLength(2);
      } finally {
        bill.close();
      }
    });
  });

  it('explains DataUnavailableException as no data or Cost Explorer not enabled', async () => {
    await withCe({ items, always: 'DataUnavailableException' }, async (ce) => {
      const bill = new CostExplorerBill({ type: 'costexplorer' }, QUERY);
      try {
        const err = await bill.fetch(WINDOW, never).then(
          () => undefined,
          (e) => e,
        );
        expect(err.message).toMatch(/no data for the window or is not enabled for this account \(DataUnavailableException\)/);
        expect(err.remediation).toMatch(/Enable Cost Explorer/);
        expect(ce.requests).toHaveLength(1); // not retried
      } finally {
        bill.close();
      }
    });
  });

  it('ERRORs when the periods answered leave days of the window out, instead of reading a smaller bill (CE-8, CE-14)', async () => {
    const short = await httpFaultServer((_n, _req, res) =>
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(
        JSON.stringify({
          ResultsByTime: [
            {
              TimePeriod: { Start: '2024-04-20', End: '2024-05-01' },
              Total: {},
              Groups: [{ Keys: ['tenant_id$acme'], Metrics: { UnblendedCost: { Amount: '5', Unit: 'USD' } } }],
              Estimated: false,
            },
          ],
        }),
      ),
    );
    const restore = setEnv({
      AWS_ENDPOINT_URL_COST_EXPLORER: short.url,
      AWS_ACCESS_KEY_ID: 'AKIDLOCALTEST',
      AWS_SECRET_ACCESS_KEY: 'x',
      AWS_REGION: 'us-east-1',
    });
    const bill = new CostExplorerBill({ type: 'costexplorer' }, QUERY);
    try {
      const err = await bill.fetch(WINDOW, never).then(
        () => undefined,
        (e) => e,
      );
      expect(err).toBeInstanceOf(SourceError);
      expect(err.message).toBe("Cost Explorer's answer leaves 2024-05-01..2024-05-10 of the window 2024-04-20..2024-05-10 out: those days were not measured");
    } finally {
      bill.close();
      restore();
      await short.close();
    }
  });

  it('explains a ValidationException with the window and the limits Cost Explorer documents (CE-4..CE-7)', async () => {
    await withCe({ items }, async () => {
      const bill = new CostExplorerBill({ type: 'costexplorer' }, QUERY);
      try {
        const old: CostWindow = { from: '2022-01-10', to: '2022-01-20', label: 'test' };
        const err = await bill.fetch(old, never).then(
          () => undefined,
          (e) => e,
        );
        expect(err.message).toMatch(
          /^Cost Explorer refused the query for 2022-01-10\.\.2022-01-20 \(ValidationException: Start date 2022-01-10 is before the oldest date/,
        );
        expect(err.remediation).toMatch(/13 months before the current one/);
      } finally {
        bill.close();
      }
    });
  });

  it('refuses a non-USD or mixed-currency bill', async () => {
    await withCe({ items: [...items, { day: '2024-05-02', tag: 'zeta', amount: '3', unit: 'EUR' }] }, async () => {
      const bill = new CostExplorerBill({ type: 'costexplorer' }, QUERY);
      try {
        await expect(bill.fetch(WINDOW, never)).rejects.toThrow(/amounts in USD and EUR/);
      } finally {
        bill.close();
      }
    });
  });

  it('assumes the configured role through STS and signs Cost Explorer requests with its credentials', async () => {
    const sts = await startSts({
      roles: [{ arn: 'arn:aws:iam::999999999999:role/cost-reader', externalId: 'ext-123' }],
      issueAccessKeyId: 'ASIAASSUMEDROLEKEY',
    });
    try {
      await withCe(
        { items, requireAccessKey: 'ASIAASSUMEDROLEKEY' },
        async (ce) => {
          const bill = new CostExplorerBill({ type: 'costexplorer', roleArn: 'arn:aws:iam::999999999999:role/cost-reader', externalId: 'ext-123' }, QUERY);
          try {
            const out = await bill.fetch(WINDOW, never);
            expect(out.groups.size).toBe(5);
            expect(ce.requests[0].accessKey).toBe('ASIAASSUMEDROLEKEY');
            expect(sts.calls).toHaveLength(1);
            expect(sts.calls[0].get('Action')).toBe('AssumeRole');
            expect(sts.calls[0].get('RoleArn')).toBe('arn:aws:iam::999999999999:role/cost-reader');
            expect(sts.calls[0].get('ExternalId')).toBe('ext-123');
          } finally {
            bill.close();
          }
        },
        { AWS_ENDPOINT_URL_STS: sts.endpoint },
      );
    } finally {
      await sts.stop();
    }
  });

  it('ERRORs naming the role when sts:AssumeRole is denied', async () => {
    const sts = await startSts({ roles: [] });
    try {
      await withCe(
        { items },
        async (ce) => {
          const bill = new CostExplorerBill({ type: 'costexplorer', roleArn: 'arn:aws:iam::999999999999:role/cost-reader', maxAttempts: 1 }, QUERY);
          try {
            const err = await bill.fetch(WINDOW, never).then(
              () => undefined,
              (e) => e,
            );
            expect(err.message).toMatch(/cannot assume role arn:aws:iam::999999999999:role\/cost-reader: AccessDenied/);
            expect(ce.requests).toHaveLength(0);
          } finally {
            bill.close();
          }
        },
        { AWS_ENDPOINT_URL_STS: sts.endpoint },
      );
    } finally {
      await sts.stop();
    }
  });
});
