import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import {
  compositeAlarm,
  healthyCloudWatch,
  httpApiMetrics,
  metricAlarm,
  ONCALL_TOPIC,
  restApiMetrics,
  startCloudWatch,
  tenantMetrics,
  type CloudWatchState,
} from './cloudwatch';
import { tenantIds, type LocalServer } from './local-server';

/**
 * One test per rule of docs/contracts/cloudwatch.md, named by its id: the real
 * @aws-sdk/client-cloudwatch against the stand-in, so the stand-in answers what the contract says.
 */
describe('CloudWatch stand-in follows docs/contracts/cloudwatch.md (real SDK client)', () => {
  let state: CloudWatchState;
  let server: LocalServer;
  let client: CloudWatchClient;
  const now = () => Math.floor(Date.now() / 1000);
  const at = (epochSeconds: number) => new Date(epochSeconds * 1000);
  const window = (seconds: number) => ({ StartTime: at(now() - seconds), EndTime: at(now()) });
  const insights = (Id: string, Expression: string, Period = 60): MetricDataQuery => ({ Id, Expression, Period, ReturnData: true });
  const stat = (Id: string, MetricName: string, Dimensions: Record<string, string>, Stat = 'Sum', Period = 60): MetricDataQuery => ({
    Id,
    MetricStat: {
      Metric: { Namespace: 'AWS/ApiGateway', MetricName, Dimensions: Object.entries(Dimensions).map(([Name, Value]) => ({ Name, Value })) },
      Period,
      Stat,
    },
  });
  const getMetricData = (input: Partial<GetMetricDataCommandInput> & Pick<GetMetricDataCommandInput, 'MetricDataQueries'>) =>
    client.send(new GetMetricDataCommand({ ...window(3600), ...input }));
  const rejection = async (p: Promise<unknown>) => {
    const err = (await p.then(
      () => undefined,
      (e: unknown) => e,
    )) as { name: string; message: string; $metadata?: { httpStatusCode?: number } } | undefined;
    if (!err) throw new Error('expected the request to be rejected');
    return { name: err.name, message: err.message, status: err.$metadata?.httpStatusCode };
  };

  beforeAll(async () => {
    state = healthyCloudWatch();
    server = await startCloudWatch(state);
    client = new CloudWatchClient({
      endpoint: server.url,
      region: 'eu-west-1',
      maxAttempts: 1,
      credentials: { accessKeyId: state.accessKeyId, secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    });
  });
  afterAll(async () => {
    client.destroy();
    await server.close();
  });
  beforeEach(() => {
    Object.assign(state, healthyCloudWatch());
    server.requests.length = 0;
  });

  describe('wire protocol', () => {
    test('P1 AWS JSON 1.0 with query compatibility: POST /, x-amz-json-1.0, GraniteServiceVersion20100801 target, x-amzn-query-mode, SigV4 for monitoring', async () => {
      await client.send(new DescribeAlarmsCommand({ MaxRecords: 1 }));
      const [req] = server.requests;
      expect(req).toMatchObject({ method: 'POST', path: '/' });
      expect(req.headers['content-type']).toBe('application/x-amz-json-1.0');
      expect(req.headers['x-amz-target']).toBe('GraniteServiceVersion20100801.DescribeAlarms');
      expect(req.headers['x-amzn-query-mode']).toBe('true');
      expect(req.headers.authorization).toMatch(/Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/eu-west-1\/monitoring\/aws4_request/);
      expect(JSON.parse(req.body)).toEqual({ MaxRecords: 1 });
    });

    test('P2 timestamps are epoch seconds both ways', async () => {
      const out = await getMetricData({ MetricDataQueries: [stat('count', 'Count', { ApiName: 'acme-api' })] });
      const sent = JSON.parse(server.requests[0].body);
      expect(typeof sent.StartTime).toBe('number');
      expect(sent.EndTime).toBeLessThan(1e11);
      expect(out.MetricDataResults![0].Timestamps![0]).toBeInstanceOf(Date);
      expect(out.MetricDataResults![0].Timestamps![0].getTime() % 60_000).toBe(0);
    });

    test('P3 errors: awsQueryError status, {__type, message}, x-amzn-query-error names the error for the SDK', async () => {
      const e = await rejection(client.send(new DescribeAlarmsCommand({ MaxRecords: 101 })));
      expect(e).toMatchObject({ name: 'ValidationException', status: 400 });
      const invalid = await fetch(server.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'GraniteServiceVersion20100801.DescribeAlarms',
          authorization: `AWS4-HMAC-SHA256 Credential=${state.accessKeyId}/x`,
        },
        body: '{"MaxRecords": 101}',
      });
      expect([invalid.status, invalid.headers.get('x-amzn-query-error'), ((await invalid.json()) as { __type: string }).__type]).toEqual([
        400,
        'ValidationError;Sender',
        'com.amazonaws.cloudwatch#ValidationException',
      ]);
      state.failWith = 500;
      expect(await rejection(client.send(new DescribeAlarmsCommand({})))).toEqual({ name: 'InternalServiceFault', message: 'Internal failure', status: 500 });
      state.failWith = undefined;
      state.accessKeyId = 'AKIAOTHERKEY00000000';
      expect(await rejection(client.send(new DescribeAlarmsCommand({})))).toEqual({
        name: 'AccessDenied',
        message: 'User is not authorized to perform: cloudwatch:DescribeAlarms',
        status: 400,
      });
      const raw = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'GraniteServiceVersion20100801.DescribeAlarms' },
        body: '{}',
      });
      expect(raw.status).toBe(400);
      expect(raw.headers.get('x-amzn-query-error')).toBe('AccessDenied;Sender');
      expect(await raw.json()).toEqual({
        __type: 'com.amazon.coral.service#AccessDeniedException',
        message: 'User is not authorized to perform: cloudwatch:DescribeAlarms',
      });
    });

    test('P4 Throttling is a 400 the SDK retries within maxAttempts', async () => {
      state.throttled = 1;
      expect(await rejection(client.send(new DescribeAlarmsCommand({})))).toEqual({ name: 'Throttling', message: 'Rate exceeded', status: 400 });
      const retrying = new CloudWatchClient({
        endpoint: server.url,
        region: 'eu-west-1',
        maxAttempts: 3,
        credentials: { accessKeyId: state.accessKeyId, secretAccessKey: 'x' },
      });
      state.throttled = 1;
      await expect(retrying.send(new DescribeAlarmsCommand({}))).resolves.toHaveProperty('MetricAlarms');
      retrying.destroy();
    });
  });

  describe('GetMetricData', () => {
    test('G1 MetricDataQueries holds 1 to 500 queries', async () => {
      const many = Array.from({ length: 501 }, (_, i) => stat(`m${i}`, 'Count', { ApiName: 'acme-api' }));
      expect(await rejection(getMetricData({ MetricDataQueries: many }))).toMatchObject({
        name: 'ValidationException',
        message: 'Maximum number of queries (500) exceeded',
        status: 400,
      });
      expect(await rejection(getMetricData({ MetricDataQueries: [] }))).toMatchObject({ name: 'MissingRequiredParameterException', status: 400 });
      await expect(getMetricData({ MetricDataQueries: many.slice(0, 500) })).resolves.toHaveProperty('MetricDataResults');
    });

    test('G2 Id starts with a lowercase letter, then letters, digits, _; unique in the request', async () => {
      const e = await rejection(
        getMetricData({ MetricDataQueries: [stat('5xx_errors', '5XXError', { ApiName: 'acme-api' }), stat('Latency', 'Latency', { ApiName: 'acme-api' })] }),
      );
      expect(e.name).toBe('ValidationException');
      expect(e.message).toContain(
        'The value 5xx_errors for parameter MetricDataQueries.member.1.Id is not matching the expected pattern ^[a-z][a-zA-Z0-9_]*$.',
      );
      expect(e.message).toContain('The value Latency for parameter MetricDataQueries.member.2.Id is not matching the expected pattern');
      expect((await rejection(getMetricData({ MetricDataQueries: [stat('a', 'Count', {}), stat('a', 'Latency', {})] }))).message).toContain(
        'member.2.Id is used more than once',
      );
      await expect(getMetricData({ MetricDataQueries: [stat('errors_5xx', '5XXError', { ApiName: 'acme-api' })] })).resolves.toBeDefined();
    });

    test('G3 exactly one of MetricStat or Expression; Stat must be a statistic', async () => {
      expect((await rejection(getMetricData({ MetricDataQueries: [{ Id: 'a' }] }))).message).toBe(
        'The parameter MetricDataQueries.member.1.MetricStat is required.',
      );
      const both = { ...stat('a', 'Count', {}), Expression: 'SELECT SUM("Count") FROM SCHEMA("AWS/ApiGateway", ApiName)', Period: 60 };
      expect((await rejection(getMetricData({ MetricDataQueries: [both] }))).message).toContain('mutually exclusive');
      expect((await rejection(getMetricData({ MetricDataQueries: [stat('a', 'Count', {}, 'Total')] }))).message).toBe(
        'The value Total for parameter MetricDataQueries.member.1.MetricStat.Stat is not a valid statistic.',
      );
      await expect(getMetricData({ MetricDataQueries: [stat('a', 'Latency', { ApiName: 'acme-api' }, 'p99')] })).resolves.toBeDefined();
    });

    test('G4 Period is 1, 5, 10, 30 or a multiple of 60', async () => {
      expect(await rejection(getMetricData({ MetricDataQueries: [stat('a', 'Count', {}, 'Sum', 90)] }))).toMatchObject({
        name: 'ValidationException',
        status: 400,
      });
      expect(
        (await rejection(getMetricData({ MetricDataQueries: [insights('a', 'SELECT SUM("Count") FROM SCHEMA("AWS/ApiGateway", ApiName)', 45)] }))).message,
      ).toContain('member.1.Period');
      for (const ok of [1, 5, 10, 30, 60, 300, 3600])
        await expect(getMetricData({ MetricDataQueries: [stat('a', 'Count', {}, 'Sum', ok)] })).resolves.toBeDefined();
    });

    test('G5 one Metrics Insights query per request: a second one is 400 ValidationError (SDK: ValidationException) "Maximum number of queries (1) exceeded"; metric stats may share the request', async () => {
      const two = [
        insights('latency', 'SELECT AVG(Latency) FROM SCHEMA("AWS/ApiGateway", ApiName)'),
        insights('errors', 'SELECT SUM("5XXError") FROM SCHEMA("AWS/ApiGateway", ApiName)'),
      ];
      expect(await rejection(getMetricData({ MetricDataQueries: two }))).toEqual({
        name: 'ValidationException',
        message: 'Maximum number of queries (1) exceeded',
        status: 400,
      });
      const out = await getMetricData({ MetricDataQueries: [two[0], stat('count', 'Count', { ApiName: 'acme-api' })] });
      expect(out.MetricDataResults!.map((r) => [r.Id, r.StatusCode, r.Values!.length])).toEqual([
        ['latency', 'Complete', 60],
        ['count', 'Complete', 60],
      ]);
    });

    test('G6 Metrics Insights looks back two weeks: older datapoints are not returned, the request does not fail', async () => {
      const t = now();
      state.metrics = restApiMetrics({ apiName: 'old-api', stage: 'prod', now: t - 15 * 86_400, minutes: 60, requestsPerMinute: 5 });
      const out = await getMetricData({
        StartTime: at(t - 16 * 86_400),
        EndTime: at(t),
        MetricDataQueries: [insights('count', 'SELECT SUM("Count") FROM SCHEMA("AWS/ApiGateway", ApiName)', 3600)],
      });
      expect(out.MetricDataResults).toEqual([expect.objectContaining({ Id: 'count', StatusCode: 'Complete', Values: [], Timestamps: [] })]);
      const direct = await getMetricData({
        StartTime: at(t - 16 * 86_400),
        EndTime: at(t),
        MetricDataQueries: [stat('count', 'Count', { ApiName: 'old-api' }, 'Sum', 3600)],
      });
      expect(direct.MetricDataResults![0].Values!.length).toBeGreaterThan(0);
    });

    test('G7 Metrics Insights: SCHEMA keeps only exactly these dimension keys; names with special characters are double-quoted; one aggregated series', async () => {
      const byApi = await getMetricData({ MetricDataQueries: [insights('count', 'SELECT SUM("Count") FROM SCHEMA("AWS/ApiGateway", ApiName)')] });
      const byStage = await getMetricData({ MetricDataQueries: [insights('count', 'SELECT SUM("Count") FROM SCHEMA("AWS/ApiGateway", ApiName, Stage)')] });
      const anyDims = await getMetricData({ MetricDataQueries: [insights('count', 'SELECT SUM("Count") FROM "AWS/ApiGateway"')] });
      expect(byApi.MetricDataResults![0].Values![0]).toBe(40);
      expect(byStage.MetricDataResults![0].Values![0]).toBe(40);
      expect(anyDims.MetricDataResults![0].Values![0]).toBe(80);
      const where = await getMetricData({
        MetricDataQueries: [insights('count', `SELECT COUNT("Count") FROM SCHEMA("AWS/ApiGateway", ApiName) WHERE ApiName = 'other'`)],
      });
      expect(where.MetricDataResults![0].Values).toEqual([]);
      expect(
        (await rejection(getMetricData({ MetricDataQueries: [insights('e', 'SELECT SUM(5XXError) FROM SCHEMA("AWS/ApiGateway", ApiName)')] }))).message,
      ).toContain('must be enclosed in double quotes');
      expect(
        (await rejection(getMetricData({ MetricDataQueries: [insights('e', 'SELECT SUM(Count) FROM SCHEMA(AWS/ApiGateway, ApiName)')] }))).message,
      ).toContain('must be enclosed in double quotes');
    });

    test('G8 SEARCH: schema names with non-alphanumeric characters are double-quoted; MetricName="x" is exact, MetricName=x partial', async () => {
      const t = now();
      state.metrics.push(
        ...tenantMetrics({ namespace: 'SaaS/Api', metricName: 'RequestsRejected', dimension: 'tenant_id', tenants: ['tenant-99'], now: t, hours: 24 }),
      );
      const search = (expr: string) =>
        getMetricData({ ...window(86_400), MetricDataQueries: [{ Id: 'tenants', Expression: expr, Period: 3600, Label: "${PROP('Dim.tenant_id')}" }] });
      expect((await rejection(search(`SEARCH('{"SaaS/Api",tenant_id} MetricName="Requests"', 'Sum')`))).message).toContain(
        'tenant_id has non-alphanumeric characters and must be enclosed in double quotes',
      );
      expect((await rejection(search(`SEARCH('{SaaS/Api,"tenant_id"} MetricName="Requests"', 'Sum')`))).name).toBe('ValidationException');
      const exact = await search(`SEARCH('{"SaaS/Api","tenant_id"} MetricName="Requests"', 'Sum')`);
      const partial = await search(`SEARCH('{"SaaS/Api","tenant_id"} MetricName=Requests', 'Sum')`);
      expect(exact.MetricDataResults!.map((r) => r.Label)).toEqual(tenantIds(12));
      expect(partial.MetricDataResults!.map((r) => r.Label)).toEqual([...tenantIds(12), 'tenant-99']);
    });

    test('G9 SEARCH finds only metrics with data in the past two weeks, at most 500 series; the query is at most 1,024 characters', async () => {
      const t = now();
      state.metrics = [
        ...tenantMetrics({ namespace: 'SaaS/Api', metricName: 'Requests', dimension: 'tenant_id', tenants: tenantIds(600).slice(0, 520), now: t, hours: 1 }),
        ...tenantMetrics({ namespace: 'SaaS/Api', metricName: 'Requests', dimension: 'tenant_id', tenants: ['gone'], now: t - 20 * 86_400, hours: 1 }),
      ];
      const q = (expr: string) => getMetricData({ ...window(7200), MetricDataQueries: [{ Id: 'tenants', Expression: expr, Period: 3600 }] });
      const out = await q(`SEARCH('{"SaaS/Api","tenant_id"} MetricName="Requests"', 'Sum')`);
      expect(out.MetricDataResults).toHaveLength(500);
      expect(out.MetricDataResults!.some((r) => r.Label?.includes('gone'))).toBe(false);
      expect((await rejection(q(`SEARCH('{"SaaS/Api","tenant_id"} MetricName="${'R'.repeat(1020)}"', 'Sum')`))).message).toContain('1024');
      expect((await rejection(q(`SEARCH('{"SaaS/Api"} ${'x'.repeat(2100)}', 'Sum')`))).message).toContain('between 1 and 2048');
    });

    test("G10 dynamic labels: ${PROP('Dim.<name>')}, ${PROP('MetricName')}, ${PROP('Namespace')} on every SEARCH series", async () => {
      const out = await getMetricData({
        ...window(86_400),
        MetricDataQueries: [
          {
            Id: 'tenants',
            Expression: `SEARCH('{"SaaS/Api","tenant_id"} MetricName="Requests"', 'Sum', 3600)`,
            Label: "${PROP('Namespace')} ${PROP('MetricName')} ${PROP('Dim.tenant_id')}",
          },
        ],
      });
      expect(out.MetricDataResults![0].Label).toBe('SaaS/Api Requests tenant-01');
      expect(new Set(out.MetricDataResults!.map((r) => r.Label)).size).toBe(12);
    });

    test('G11 StartTime before EndTime (inclusive start, exclusive end)', async () => {
      const t = at(now());
      expect((await rejection(getMetricData({ StartTime: t, EndTime: t, MetricDataQueries: [stat('a', 'Count', {})] }))).message).toBe(
        'The parameter StartTime must not equal parameter EndTime.',
      );
      expect((await rejection(getMetricData({ StartTime: at(now()), EndTime: at(now() - 60), MetricDataQueries: [stat('a', 'Count', {})] }))).message).toBe(
        'The parameter EndTime must be greater than StartTime.',
      );
      const newest = Math.floor(now() / 60) * 60 - 60;
      const one = await getMetricData({ StartTime: at(newest), EndTime: at(newest + 60), MetricDataQueries: [stat('a', 'Count', { ApiName: 'acme-api' })] });
      expect(one.MetricDataResults![0].Timestamps).toEqual([at(newest)]);
      const none = await getMetricData({ StartTime: at(newest - 30), EndTime: at(newest), MetricDataQueries: [stat('a', 'Count', { ApiName: 'acme-api' })] });
      expect(none.MetricDataResults![0].Timestamps!.map((d) => d.getTime() / 1000)).toEqual([newest - 60]);
    });

    test('G12 paging: MaxDatapoints per page, cut series answer PartialData and continue behind NextToken; unknown token is InvalidNextToken', async () => {
      const queries = [stat('count', 'Count', { ApiName: 'acme-api' }), stat('latency', 'Latency', { ApiName: 'acme-api' }, 'Average')];
      const first = await getMetricData({ MetricDataQueries: queries, MaxDatapoints: 100 });
      expect(first.MetricDataResults!.map((r) => [r.Id, r.StatusCode, r.Values!.length])).toEqual([
        ['count', 'Complete', 60],
        ['latency', 'PartialData', 40],
      ]);
      expect(first.NextToken).toEqual(expect.any(String));
      const second = await getMetricData({ MetricDataQueries: queries, MaxDatapoints: 100, NextToken: first.NextToken });
      expect(second.MetricDataResults!.map((r) => [r.Id, r.StatusCode, r.Values!.length])).toEqual([['latency', 'Complete', 20]]);
      expect(second.NextToken).toBeUndefined();
      expect(await rejection(getMetricData({ MetricDataQueries: queries, NextToken: 'not-a-token' }))).toMatchObject({ name: 'InvalidNextToken', status: 400 });
    });

    test('G13 StatusCode Forbidden and InternalError (retry with the NextToken) carry Messages', async () => {
      state.forbiddenNamespaces = ['AWS/ApiGateway'];
      const forbidden = await getMetricData({ MetricDataQueries: [insights('latency', 'SELECT AVG(Latency) FROM SCHEMA("AWS/ApiGateway", ApiName)')] });
      expect(forbidden.MetricDataResults![0]).toMatchObject({
        Id: 'latency',
        StatusCode: 'Forbidden',
        Values: [],
        Messages: [{ Code: 'Forbidden', Value: expect.stringContaining('AWS/ApiGateway') }],
      });
      state.forbiddenNamespaces = [];
      state.internalErrorOnce = ['latency'];
      const query = [insights('latency', 'SELECT AVG(Latency) FROM SCHEMA("AWS/ApiGateway", ApiName)')];
      const failed = await getMetricData({ MetricDataQueries: query });
      expect(failed.MetricDataResults![0]).toMatchObject({ StatusCode: 'InternalError', Values: [], Messages: [{ Code: 'InternalError' }] });
      const retried = await getMetricData({ MetricDataQueries: query, NextToken: failed.NextToken });
      expect(retried.MetricDataResults![0]).toMatchObject({ Id: 'latency', StatusCode: 'Complete' });
      expect(retried.MetricDataResults![0].Values!.length).toBe(60);
    });

    test('G14 top-level Messages are a list (empty when the whole call went through)', async () => {
      const out = await getMetricData({ MetricDataQueries: [stat('a', 'Count', { ApiName: 'acme-api' })] });
      expect(out.Messages).toEqual([]);
    });

    test('G15 one result per query (empty lists without data), Timestamps[i] ↔ Values[i], newest first unless TimestampAscending', async () => {
      const out = await getMetricData({ MetricDataQueries: [stat('a', 'Count', { ApiName: 'acme-api' }), stat('b', 'Count', { ApiName: 'no-such-api' })] });
      const [a, b] = out.MetricDataResults!;
      expect(a.Timestamps!.length).toBe(a.Values!.length);
      expect(a.Timestamps![0].getTime()).toBeGreaterThan(a.Timestamps![1].getTime());
      expect(b).toMatchObject({ Id: 'b', StatusCode: 'Complete', Timestamps: [], Values: [] });
      const asc = await getMetricData({ ScanBy: 'TimestampAscending', MetricDataQueries: [stat('a', 'Count', { ApiName: 'acme-api' })] });
      expect(asc.MetricDataResults![0].Timestamps![0].getTime()).toBeLessThan(asc.MetricDataResults![0].Timestamps![1].getTime());
    });
  });

  describe('DescribeAlarms', () => {
    test('D1 MaxRecords is 1 to 100', async () => {
      expect(await rejection(client.send(new DescribeAlarmsCommand({ MaxRecords: 999 })))).toEqual({
        name: 'ValidationException',
        message: "1 validation error detected: Value '999' at 'maxRecords' failed to satisfy constraint: Member must have value less than or equal to 100",
        status: 400,
      });
      expect((await rejection(client.send(new DescribeAlarmsCommand({ MaxRecords: 0 })))).message).toContain('greater than or equal to 1');
      await expect(client.send(new DescribeAlarmsCommand({ MaxRecords: 100 }))).resolves.toBeDefined();
    });

    test('D2 AlarmTypes omitted returns metric alarms only; CompositeAlarm must be asked for; unknown types are rejected', async () => {
      state.compositeAlarms = [compositeAlarm('api-health', { rule: 'ALARM(api-5xx-errors) OR ALARM(api-p99)' })];
      const plain = await client.send(new DescribeAlarmsCommand({}));
      expect(plain.MetricAlarms!.map((a) => a.AlarmName)).toEqual(['api-5xx-errors', 'api-p99']);
      expect(plain.CompositeAlarms).toEqual([]);
      const both = await client.send(new DescribeAlarmsCommand({ AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }));
      expect(both.CompositeAlarms!.map((a) => a.AlarmName)).toEqual(['api-health']);
      expect((await client.send(new DescribeAlarmsCommand({ AlarmTypes: ['CompositeAlarm'] }))).MetricAlarms).toEqual([]);
      expect((await rejection(client.send(new DescribeAlarmsCommand({ AlarmTypes: ['Alarm' as never] })))).name).toBe('ValidationException');
    });

    test('D3 AlarmNamePrefix filters by name prefix and cannot be combined with AlarmNames', async () => {
      expect((await client.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'api-p' }))).MetricAlarms!.map((a) => a.AlarmName)).toEqual(['api-p99']);
      expect((await rejection(client.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'api-', AlarmNames: ['api-p99'] })))).name).toBe(
        'InvalidParameterCombinationException',
      );
    });

    test('D4 paging: NextToken until the last page; an unknown token is InvalidNextToken', async () => {
      state.metricAlarms = Array.from({ length: 120 }, (_, i) =>
        metricAlarm(`a-${String(i).padStart(3, '0')}`, { namespace: 'AWS/ApiGateway', metricName: 'Latency' }),
      );
      const first = await client.send(new DescribeAlarmsCommand({}));
      expect(first.MetricAlarms).toHaveLength(50);
      const second = await client.send(new DescribeAlarmsCommand({ MaxRecords: 100, NextToken: first.NextToken }));
      expect(second.MetricAlarms).toHaveLength(70);
      expect(second.NextToken).toBeUndefined();
      expect(second.MetricAlarms![0].AlarmName).toBe('a-050');
      expect((await rejection(client.send(new DescribeAlarmsCommand({ NextToken: 'nope' })))).name).toBe('InvalidNextToken');
    });

    test('D5 fields: ActionsEnabled, AlarmActions, StateValue, Namespace/MetricName or Metrics; composite AlarmRule, ActionsSuppressedBy, ActionsSuppressor', async () => {
      state.metricAlarms[0] = { ...state.metricAlarms[0], ActionsEnabled: false };
      state.compositeAlarms = [compositeAlarm('api-health', { rule: 'ALARM(api-p99)', suppressedBy: 'WaitPeriod', suppressor: 'maintenance' })];
      const out = await client.send(new DescribeAlarmsCommand({ AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }));
      expect(out.MetricAlarms![0]).toMatchObject({
        AlarmName: 'api-5xx-errors',
        ActionsEnabled: false,
        AlarmActions: [ONCALL_TOPIC],
        StateValue: 'OK',
        Namespace: 'AWS/ApiGateway',
        MetricName: '5XXError',
      });
      expect(out.MetricAlarms![0].StateUpdatedTimestamp).toBeInstanceOf(Date);
      expect(out.CompositeAlarms![0]).toMatchObject({
        AlarmRule: 'ALARM(api-p99)',
        ActionsSuppressedBy: 'WaitPeriod',
        ActionsSuppressor: expect.stringMatching(/:alarm:maintenance$/),
      });
    });

    test('D6 AlarmActions come back as the ARNs they are, notifying or not', async () => {
      const actions = [
        'arn:aws:autoscaling:eu-west-1:111122223333:scalingPolicy:1a2b:autoScalingGroupName/web:policyName/up',
        'arn:aws:automate:eu-west-1:ec2:reboot',
        'arn:aws:ssm-incidents::111122223333:responseplan/api',
      ];
      state.metricAlarms = [metricAlarm('api-errors', { namespace: 'AWS/ApiGateway', metricName: '5XXError', actions })];
      expect((await client.send(new DescribeAlarmsCommand({}))).MetricAlarms![0].AlarmActions).toEqual(actions);
    });
  });

  describe('what AWS/ApiGateway emits', () => {
    test('A1 REST APIs: Count, Latency, 4XXError, 5XXError, IntegrationLatency under {ApiName} and {ApiName, Stage}', async () => {
      const names = new Set(
        state.metrics.filter((m) => m.namespace === 'AWS/ApiGateway').map((m) => `${m.metricName} {${Object.keys(m.dimensions).join(',')}}`),
      );
      for (const metric of ['Count', 'Latency', '4XXError', '5XXError', 'IntegrationLatency']) {
        expect(names).toContain(`${metric} {ApiName}`);
        expect(names).toContain(`${metric} {ApiName,Stage}`);
      }
      const out = await getMetricData({ MetricDataQueries: [insights('latency', 'SELECT AVG(Latency) FROM SCHEMA("AWS/ApiGateway", ApiName)')] });
      expect(out.MetricDataResults![0].Values![0]).toBe(85);
    });

    test('A2 5XXError has a datapoint (0) for every minute with requests, and none without traffic', async () => {
      const q = [
        stat('errors', '5XXError', { ApiName: 'acme-api' }),
        stat('rate', '5XXError', { ApiName: 'acme-api' }, 'Average'),
        stat('count', 'Count', { ApiName: 'acme-api' }, 'SampleCount'),
      ];
      const [errors, rate, count] = (await getMetricData({ MetricDataQueries: q })).MetricDataResults!;
      expect(errors.Values).toHaveLength(60);
      expect(new Set(errors.Values)).toEqual(new Set([0]));
      expect(new Set(rate.Values)).toEqual(new Set([0]));
      expect(new Set(count.Values)).toEqual(new Set([40]));
      state.metrics = restApiMetrics({ apiName: 'acme-api', stage: 'prod', now: now(), minutes: 60, requestsPerMinute: 0 });
      expect((await getMetricData({ MetricDataQueries: q })).MetricDataResults!.map((r) => r.Values)).toEqual([[], [], []]);
    });

    test('A3 HTTP APIs: 4xx, 5xx, Count, Latency under {ApiId} and {ApiId, Stage}: SCHEMA(ApiName) does not see them, SCHEMA(ApiId) does', async () => {
      state.metrics = httpApiMetrics({ apiId: 'a1b2c3d4e5', stage: '$default', now: now(), minutes: 15, requestsPerMinute: 10 });
      const rest = await getMetricData({ MetricDataQueries: [insights('errors', 'SELECT SUM("5XXError") FROM SCHEMA("AWS/ApiGateway", ApiName)')] });
      expect(rest.MetricDataResults![0].Values).toEqual([]);
      const http = await getMetricData({ MetricDataQueries: [insights('errors', 'SELECT SUM("5xx") FROM SCHEMA("AWS/ApiGateway", ApiId)')] });
      expect(http.MetricDataResults![0].Values).toHaveLength(15);
    });
  });
});
