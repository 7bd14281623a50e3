import { CostExplorerClient, GetCostAndUsageCommand, type GetCostAndUsageCommandInput } from '@aws-sdk/client-cost-explorer';
import { startCostExplorer, type CeLineItem, type CostExplorerOptions, type CostExplorerStandIn } from './costexplorer';

/**
 * The Cost Explorer stand-in against docs/contracts/costexplorer.md, one test per rule, through the
 * real @aws-sdk/client-cost-explorer. "Today" is pinned so the date rules are deterministic.
 */
const TODAY = '2024-06-20';
const items: CeLineItem[] = [
  { day: '2024-04-25', tag: 'acme', amount: '3' },
  { day: '2024-05-02', tag: 'acme', amount: '10.1234567891' },
  { day: '2024-05-03', tag: 'globex', amount: '20' },
  { day: '2024-05-04', amount: '2.25' },
  { day: '2024-05-05', tag: 'globex', amount: '-7', recordType: 'Credit' },
  { day: '2024-05-06', tag: 'initech', amount: '5', account: '222222222222' },
];
const base: GetCostAndUsageCommandInput = {
  TimePeriod: { Start: '2024-05-01', End: '2024-06-01' },
  Granularity: 'MONTHLY',
  Metrics: ['UnblendedCost'],
  GroupBy: [{ Type: 'TAG', Key: 'tenant_id' }],
};

let ce: CostExplorerStandIn;
let client: CostExplorerClient;
async function start(opts: Partial<CostExplorerOptions> = {}) {
  await ce?.stop();
  client?.destroy();
  ce = await startCostExplorer({ items, today: TODAY, ...opts });
  client = new CostExplorerClient({
    region: 'us-east-1',
    endpoint: ce.endpoint,
    credentials: { accessKeyId: 'AKIDSTANDIN', secretAccessKey: 'standin-secret' },
    maxAttempts: 1,
  });
}
const send = (input: Partial<GetCostAndUsageCommandInput>) => client.send(new GetCostAndUsageCommand({ ...base, ...input } as GetCostAndUsageCommandInput));
const refusal = (input: Partial<GetCostAndUsageCommandInput>) =>
  send(input).then(
    () => undefined,
    (e: { name: string; message: string; $metadata?: { httpStatusCode?: number } }) => e,
  );
const keysOf = (out: Awaited<ReturnType<typeof send>>) =>
  out.ResultsByTime!.flatMap((r) => (r.Groups ?? []).map((g) => `${g.Keys!.join('|')}=${g.Metrics!.UnblendedCost.Amount}`));

beforeAll(() => start());
afterAll(async () => {
  client.destroy();
  await ce.stop();
});

describe('Cost Explorer stand-in (docs/contracts/costexplorer.md) through the real SDK client', () => {
  it('CE-1: speaks AWS JSON 1.1 (X-Amz-Target AWSInsightsIndexService.GetCostAndUsage), signed for ce; other targets are unknown operations', async () => {
    await send({});
    expect(ce.requests.at(-1)).toMatchObject({ target: 'AWSInsightsIndexService.GetCostAndUsage', accessKey: 'AKIDSTANDIN', status: 200 });
    const res = await fetch(ce.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSInsightsIndexService.GetTags' },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      __type: 'com.amazon.awsinsightsindexservice#UnknownOperationException',
      Message: 'unknown operation AWSInsightsIndexService.GetTags',
    });
  });

  it('CE-2: every aws-partition region resolves to ce.us-east-1, signed for us-east-1; a request signed for another region is refused', async () => {
    const eu = new CostExplorerClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    const resolved = await eu.config.endpointProvider({ Region: 'eu-west-1', UseFIPS: false, UseDualStack: false });
    expect(resolved.url.href).toBe('https://ce.us-east-1.amazonaws.com/');
    expect(resolved.properties?.authSchemes).toEqual([expect.objectContaining({ signingRegion: 'us-east-1' })]);
    eu.destroy();
    // With an endpoint override the SDK signs for the client's own region: only us-east-1 is accepted.
    const local = new CostExplorerClient({
      region: 'eu-west-1',
      endpoint: ce.endpoint,
      credentials: { accessKeyId: 'AKIDEU', secretAccessKey: 'b' },
      maxAttempts: 1,
    });
    const err = await local.send(new GetCostAndUsageCommand(base)).then(
      () => undefined,
      (e) => e,
    );
    local.destroy();
    expect(err).toMatchObject({ name: 'InvalidSignatureException', $metadata: { httpStatusCode: 403 } });
    await send({});
    expect(ce.requests.at(-1)).toMatchObject({ region: 'us-east-1', status: 200 });
  });

  it('CE-3: TimePeriod is required, YYYY-MM-DD; Start inclusive, End exclusive', async () => {
    expect(await refusal({ TimePeriod: undefined })).toMatchObject({
      name: 'ValidationException',
      message: expect.stringMatching(/'timePeriod' failed to satisfy constraint: Member must not be null/),
    });
    expect(await refusal({ TimePeriod: { Start: '2024/05/01', End: '2024-06-01' } })).toMatchObject({ name: 'ValidationException' });
    const out = await send({ TimePeriod: { Start: '2024-05-02', End: '2024-05-04' } });
    expect(keysOf(out)).toEqual(['tenant_id$acme=10.1234567891', 'tenant_id$globex=20.0000000000']); // 05-04 excluded
  });

  it('CE-4: Start must be before End', async () => {
    expect(await refusal({ TimePeriod: { Start: '2024-05-01', End: '2024-05-01' } })).toMatchObject({
      name: 'ValidationException',
      message: 'Start date (and hour) should be before end date (and hour)',
    });
  });

  it('CE-5: Start may not be later than the current date', async () => {
    expect(await refusal({ TimePeriod: { Start: '2024-06-21', End: '2024-06-22' } })).toMatchObject({ name: 'ValidationException' });
    expect((await send({ TimePeriod: { Start: TODAY, End: '2024-06-21' } })).ResultsByTime).toHaveLength(1);
  });

  it('CE-6: End may not be past the first day of next month', async () => {
    expect(await refusal({ TimePeriod: { Start: '2024-06-01', End: '2024-07-02' } })).toMatchObject({
      name: 'ValidationException',
      message: 'end date past the beginning of next month',
    });
    expect((await send({ TimePeriod: { Start: '2024-06-01', End: '2024-07-01' } })).ResultsByTime).toHaveLength(1);
  });

  it('CE-7: 13 months of history plus the current month; with multi-year data an older Start must be the first of a month', async () => {
    expect((await send({ TimePeriod: { Start: '2023-05-01', End: '2023-06-01' } })).ResultsByTime).toHaveLength(1);
    expect(await refusal({ TimePeriod: { Start: '2023-04-30', End: '2023-06-01' } })).toMatchObject({ name: 'ValidationException' });
    await start({ multiYearData: true });
    try {
      expect((await send({ TimePeriod: { Start: '2022-01-01', End: '2022-02-01' } })).ResultsByTime).toHaveLength(1);
      expect(await refusal({ TimePeriod: { Start: '2022-01-15', End: '2022-02-01' } })).toMatchObject({
        name: 'ValidationException',
        message: 'To retrieve data beyond the past 14 months, your start date needs to be the first day of the month.',
      });
    } finally {
      await start();
    }
  });

  it('CE-8: Granularity is required; MONTHLY periods are calendar months cut to the TimePeriod', async () => {
    expect(await refusal({ Granularity: 'WEEKLY' as never })).toMatchObject({ name: 'ValidationException' });
    const out = await send({ TimePeriod: { Start: '2024-04-20', End: '2024-05-11' } });
    expect(out.ResultsByTime!.map((r) => r.TimePeriod)).toEqual([
      { Start: '2024-04-20', End: '2024-05-01' },
      { Start: '2024-05-01', End: '2024-05-11' },
    ]);
    const daily = await send({ Granularity: 'DAILY', TimePeriod: { Start: '2024-05-01', End: '2024-05-04' } });
    expect(daily.ResultsByTime).toHaveLength(3);
  });

  it('CE-9: Metrics is required and must name known metrics', async () => {
    expect(await refusal({ Metrics: [] })).toMatchObject({ name: 'ValidationException' });
    expect(await refusal({ Metrics: ['UnblendedCosts'] })).toMatchObject({ name: 'ValidationException', message: expect.stringMatching(/UnblendedCosts/) });
    const out = await send({ Metrics: ['UnblendedCost', 'AmortizedCost'] });
    expect(Object.keys(out.ResultsByTime![0].Groups![0].Metrics!).sort()).toEqual(['AmortizedCost', 'UnblendedCost']);
  });

  it('CE-10: at most two group definitions; TAG groups carry every value, the empty one included', async () => {
    expect(
      await refusal({
        GroupBy: [
          { Type: 'TAG', Key: 'a' },
          { Type: 'TAG', Key: 'b' },
          { Type: 'TAG', Key: 'c' },
        ],
      }),
    ).toMatchObject({ name: 'ValidationException' });
    const two = await send({
      GroupBy: [
        { Type: 'TAG', Key: 'tenant_id' },
        { Type: 'DIMENSION', Key: 'LINKED_ACCOUNT' },
      ],
    });
    expect(two.ResultsByTime![0].Groups!.map((g) => g.Keys)).toContainEqual(['tenant_id$initech', '222222222222']);
  });

  it('CE-11: one root per Expression; more is refused with the documented message', async () => {
    const twoRoots = {
      Not: { Dimensions: { Key: 'RECORD_TYPE' as const, Values: ['Credit'] } },
      Dimensions: { Key: 'LINKED_ACCOUNT' as const, Values: ['111111111111'] },
    };
    expect(await refusal({ Filter: twoRoots })).toMatchObject({
      name: 'ValidationException',
      message: 'Expression has more than one roots. Only one root operator is allowed for each expression: And, Or, Not, Dimensions, Tags, CostCategories',
    });
    expect(await refusal({ Filter: {} })).toMatchObject({ name: 'ValidationException' });
    expect(await refusal({ Filter: { Dimensions: { Key: 'CHARGE_TYPE' as never, Values: ['Credit'] } } })).toMatchObject({ name: 'ValidationException' });
  });

  it('CE-12: RECORD_TYPE and LINKED_ACCOUNT filter line items (values OR-ed, case-sensitive)', async () => {
    const noCredit = await send({ Filter: { Not: { Dimensions: { Key: 'RECORD_TYPE', Values: ['Credit', 'Refund', 'Tax'] } } } });
    expect(keysOf(noCredit)).toContain('tenant_id$globex=20.0000000000');
    const lowerCase = await send({ Filter: { Not: { Dimensions: { Key: 'RECORD_TYPE', Values: ['credit'] } } } });
    expect(keysOf(lowerCase)).toContain('tenant_id$globex=13.0000000000');
    const one = await send({
      Filter: {
        And: [{ Not: { Dimensions: { Key: 'RECORD_TYPE', Values: ['Credit'] } } }, { Dimensions: { Key: 'LINKED_ACCOUNT', Values: ['222222222222'] } }],
      },
    });
    expect(keysOf(one)).toEqual(['tenant_id$initech=5.0000000000']);
  });

  it('CE-13: NextPageToken is sent back with the same parameters; changed parameters or a bad token are refused', async () => {
    await start({ pageSize: 1 });
    try {
      const first = await send({});
      expect(first.NextPageToken).toEqual(expect.any(String));
      const second = await send({ NextPageToken: first.NextPageToken });
      expect(keysOf(second)).toEqual(['tenant_id$acme=10.1234567891']);
      expect(await refusal({ NextPageToken: first.NextPageToken, Metrics: ['BlendedCost'] })).toMatchObject({ name: 'RequestChangedException' });
      expect(await refusal({ NextPageToken: 'not-a-token' })).toMatchObject({ name: 'InvalidNextTokenException' });
    } finally {
      await start();
    }
  });

  it('CE-14: ResultsByTime carries TimePeriod, Total ({} when grouped), Groups, Estimated; plus GroupDefinitions and DimensionValueAttributes', async () => {
    const out = await send({});
    expect(out.GroupDefinitions).toEqual([{ Type: 'TAG', Key: 'tenant_id' }]);
    expect(out.DimensionValueAttributes).toEqual([]);
    expect(out.ResultsByTime![0]).toMatchObject({ TimePeriod: { Start: '2024-05-01', End: '2024-06-01' }, Total: {}, Estimated: false });
    const ungrouped = await send({ GroupBy: undefined });
    expect(ungrouped.ResultsByTime![0].Total!.UnblendedCost).toEqual({ Amount: '30.3734567891', Unit: 'USD' });
  });

  it('CE-15: TAG group keys are <tagKey>$<value>; untagged spend is <tagKey>$', async () => {
    expect(keysOf(await send({}))).toEqual([
      'tenant_id$=2.2500000000',
      'tenant_id$acme=10.1234567891',
      'tenant_id$globex=13.0000000000',
      'tenant_id$initech=5.0000000000',
    ]);
  });

  it('CE-16: Amount is a decimal string, Unit a string (USD for costs, N/A for usage)', async () => {
    const out = await send({ Metrics: ['UnblendedCost', 'UsageQuantity'] });
    const metrics = out.ResultsByTime![0].Groups![1].Metrics!;
    expect(metrics.UnblendedCost).toEqual({ Amount: '10.1234567891', Unit: 'USD' });
    expect(metrics.UsageQuantity.Unit).toBe('N/A');
  });

  it('CE-17: periods of the current month are Estimated', async () => {
    const out = await send({ TimePeriod: { Start: '2024-05-15', End: '2024-06-20' } });
    expect(out.ResultsByTime!.map((r) => [r.TimePeriod!.Start, r.Estimated])).toEqual([
      ['2024-05-15', false],
      ['2024-06-01', true],
    ]);
  });

  it('CE-18: a NextPageToken appears only while results remain', async () => {
    await start({ pageSize: 3 });
    try {
      const first = await send({});
      const second = await send({ NextPageToken: first.NextPageToken });
      expect(first.NextPageToken).toBeDefined();
      expect(second.NextPageToken).toBeUndefined();
      expect([...keysOf(first), ...keysOf(second)]).toHaveLength(4);
    } finally {
      await start();
    }
  });

  it('CE-19: modeled errors arrive with their type, message and status', async () => {
    await start({ script: ['LimitExceededException', 'DataUnavailableException', 'BillExpirationException', 'InternalFailure'] });
    try {
      expect(await refusal({})).toMatchObject({ name: 'LimitExceededException', message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
      expect(await refusal({})).toMatchObject({ name: 'DataUnavailableException' });
      expect(await refusal({})).toMatchObject({
        name: 'BillExpirationException',
        message: 'The requested report expired. Update the date interval and try again.',
      });
      expect(await refusal({})).toMatchObject({ name: 'InternalFailure', $metadata: { httpStatusCode: 500 } });
    } finally {
      await start();
    }
  });

  it('CE-20: every answered page is a billed request', async () => {
    await start({ pageSize: 1 });
    try {
      let token: string | undefined;
      do token = (await send({ NextPageToken: token })).NextPageToken;
      while (token);
      expect(ce.billed()).toBe(4);
      await refusal({ Metrics: [] });
      expect(ce.billed()).toBe(4);
    } finally {
      await start();
    }
  });
});
