import {
  compositeAlarm,
  healthyCloudWatch,
  httpApiMetrics,
  metricAlarm,
  restApiMetrics,
  startCloudWatch,
  tenantMetrics,
  type CloudWatchState,
} from '../standins/cloudwatch';
import { cloudWatchYaml, runMonitoring } from './harness';
import { tenantIds, type LocalServer } from '../standins/local-server';

/**
 * The real @aws-sdk/client-cloudwatch, pointed at the contract stand-in (test/standins/cloudwatch.ts)
 * with AWS_ENDPOINT_URL_CLOUDWATCH; rule ids refer to docs/contracts/cloudwatch.md.
 */
describe('gate monitoring: CloudWatch through the AWS SDK against the contract stand-in', () => {
  let state: CloudWatchState;
  let server: LocalServer;
  const saved = { ...process.env };
  const now = () => Date.now() / 1000;
  const sent = () => server.requests.filter((q) => q.headers['x-amz-target'] === 'GraniteServiceVersion20100801.GetMetricData').map((q) => JSON.parse(q.body));
  beforeAll(async () => {
    state = healthyCloudWatch();
    server = await startCloudWatch(state);
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_CLOUDWATCH: server.url,
      AWS_ACCESS_KEY_ID: state.accessKeyId,
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      AWS_REGION: 'eu-west-1',
    });
    delete process.env.AWS_PROFILE;
  });
  afterAll(async () => {
    process.env = saved;
    await server.close();
  });
  beforeEach(() => {
    Object.assign(state, healthyCloudWatch());
    server.requests.length = 0;
  });

  test('healthy REST API set up as AWS documents it: the defaults PASS; the SDK speaks AWS JSON 1.0 (query-compatible)', async () => {
    const r = await runMonitoring(cloudWatchYaml());
    expect(r.result.status).toBe('PASS');
    expect(r.criterion('cloudwatch.signals').summary).toBe('latency, errors and throughput flowing; 12 tenants monitored by dimension tenant_id');
    expect(r.criterion('cloudwatch.alerting').evidence?.join('\n')).toContain('"api-5xx-errors" [OK] → arn:aws:sns:eu-west-1:111122223333:api-oncall');
    const targets = server.requests.map((q) => q.headers['x-amz-target']);
    expect(targets).toEqual(expect.arrayContaining(['GraniteServiceVersion20100801.DescribeAlarms', 'GraniteServiceVersion20100801.GetMetricData']));
    const search = sent().find((b) => b.MetricDataQueries[0].Id === 'tenants');
    expect(search.MetricDataQueries[0].Expression).toBe(`SEARCH('{"SaaS/Api","tenant_id"} MetricName="Requests"', 'Sum', 3600)`);
    expect(search.MetricDataQueries[0].Label).toBe("${PROP('Dim.tenant_id')}");
    expect(search.EndTime - search.StartTime).toBe(24 * 3600);
  });

  test('G5: each default Metrics Insights signal goes in its own GetMetricData request, never two SELECTs in one', async () => {
    const r = await runMonitoring(cloudWatchYaml());
    expect(r.result.status).toBe('PASS');
    const signalRequests = sent().filter((b) => b.MetricDataQueries[0].Id !== 'tenants');
    expect(signalRequests.map((b) => b.MetricDataQueries.map((q: { Id: string }) => q.Id)).sort()).toEqual([['errors'], ['latency'], ['throughput']]);
    for (const b of signalRequests) expect(b.MetricDataQueries.filter((q: { Expression?: string }) => /^\s*SELECT/i.test(q.Expression ?? ''))).toHaveLength(1);
  });

  test('G5: metric-stat signals share one request; the Metrics Insights one stays alone', async () => {
    const r = await runMonitoring(
      cloudWatchYaml(`      signals:
        latency: { namespace: AWS/ApiGateway, metricName: Latency, dimensions: { ApiName: acme-api }, stat: Average }
        errors: { namespace: AWS/ApiGateway, metricName: 5XXError, dimensions: { ApiName: acme-api } }
`),
    );
    expect(r.result.status).toBe('PASS');
    const signalRequests = sent().filter((b) => b.MetricDataQueries[0].Id !== 'tenants');
    expect(signalRequests.map((b) => b.MetricDataQueries.map((q: { Id: string }) => q.Id)).sort()).toEqual([['latency', 'errors'], ['throughput']]);
  });

  test('A2: a 5XXError of 0 on every request is errors data flowing (datapoints count, not their value)', async () => {
    const r = await runMonitoring(cloudWatchYaml());
    const errors = r.criterion('cloudwatch.signals').evidence!.find((e) => e.startsWith('errors:'))!;
    expect(errors).toMatch(/^errors: 1[45] datapoints in the last 15 min, newest [0-2] min ago — SELECT SUM\("5XXError"\)/);
  });

  test('A2: no traffic in the window means no datapoints at all: FAIL naming every signal', async () => {
    state.metrics = state.metrics.filter((m) => m.namespace !== 'AWS/ApiGateway');
    state.metrics.push(...restApiMetrics({ apiName: 'acme-api', stage: 'prod', now: now() - 3600, minutes: 60, requestsPerMinute: 40 }));
    const r = await runMonitoring(cloudWatchYaml());
    expect(r.result.status).toBe('FAIL');
    expect(r.criterion('cloudwatch.signals').summary).toBe('no latency, errors, throughput data in the last 15 min');
  });

  test('a missing signal: FAIL naming it', async () => {
    state.metrics = state.metrics.filter((m) => m.metricName !== 'Count');
    const r = await runMonitoring(cloudWatchYaml());
    expect(r.result.status).toBe('FAIL');
    expect(r.criterion('cloudwatch.signals').summary).toContain('no throughput data in the last 15 min');
  });

  test('A3: an HTTP API only: the REST defaults FAIL naming the signals; the documented HTTP API signals PASS', async () => {
    state.metrics = [
      ...httpApiMetrics({ apiId: 'a1b2c3d4e5', stage: '$default', now: now(), minutes: 60, requestsPerMinute: 25 }),
      ...state.metrics.filter((m) => m.namespace !== 'AWS/ApiGateway'),
    ];
    const rest = await runMonitoring(cloudWatchYaml());
    expect(rest.criterion('cloudwatch.signals').summary).toBe('no latency, errors, throughput data in the last 15 min');
    const http = await runMonitoring(
      cloudWatchYaml(`      signals:
        latency: { expression: 'SELECT AVG(Latency) FROM SCHEMA("AWS/ApiGateway", ApiId)' }
        errors: { expression: 'SELECT SUM("5xx") FROM SCHEMA("AWS/ApiGateway", ApiId)' }
        throughput: { expression: 'SELECT SUM("Count") FROM SCHEMA("AWS/ApiGateway", ApiId)' }
`),
    );
    expect(http.result.status).toBe('PASS');
  });

  test('too few tenants in the breakdown', async () => {
    state.metrics = state.metrics.filter(
      (m) =>
        !['tenant-03', 'tenant-04', 'tenant-05', 'tenant-06', 'tenant-07', 'tenant-08', 'tenant-09', 'tenant-10', 'tenant-11', 'tenant-12'].includes(
          m.dimensions.tenant_id,
        ),
    );
    const r = await runMonitoring(cloudWatchYaml());
    expect(r.criterion('cloudwatch.signals').summary).toContain('dimension tenant_id shows only 2 tenants over 24 h, need ≥ 10');
  });

  test('the tenant dimension defaults to tenant_id, the product-wide key; a TenantId metric needs `dimension: TenantId`', async () => {
    state.metrics = [
      ...state.metrics.filter((m) => m.namespace !== 'SaaS/Api'),
      ...tenantMetrics({ namespace: 'SaaS/Api', metricName: 'Requests', dimension: 'TenantId', tenants: tenantIds(12), now: now(), hours: 24 }),
    ];
    const byDefault = await runMonitoring(cloudWatchYaml());
    expect(byDefault.criterion('cloudwatch.signals').summary).toBe('throughput has no breakdown by dimension tenant_id over 24 h (tenants not tagged)');
    const configured = await runMonitoring(cloudWatchYaml('        dimension: TenantId\n'));
    expect(configured.result.status).toBe('PASS');
    expect(
      sent()
        .filter((b) => b.MetricDataQueries[0].Id === 'tenants')
        .pop().MetricDataQueries[0].Expression,
    ).toBe(`SEARCH('{"SaaS/Api",TenantId} MetricName="Requests"', 'Sum', 3600)`);
  });

  test('G8: the metric name is matched exactly: tenants seen only in RequestsRejected do not count', async () => {
    state.metrics = [
      ...state.metrics.filter((m) => !(m.namespace === 'SaaS/Api' && Number(m.dimensions.tenant_id?.slice(-2)) > 8)),
      ...tenantMetrics({
        namespace: 'SaaS/Api',
        metricName: 'RequestsRejected',
        dimension: 'tenant_id',
        tenants: tenantIds(12).slice(8),
        now: now(),
        hours: 24,
      }),
    ];
    const r = await runMonitoring(cloudWatchYaml());
    expect(r.result.status).toBe('FAIL');
    expect(r.criterion('cloudwatch.signals').summary).toContain('shows only 8 tenants over 24 h, need ≥ 10');
  });

  test('G8: a tenant metric with more dimensions (Powertools adds `service`) does not match the exact SEARCH schema: FAIL naming the dimension', async () => {
    state.metrics = [
      ...state.metrics.filter((m) => m.namespace !== 'SaaS/Api'),
      ...tenantMetrics({
        namespace: 'SaaS/Api',
        metricName: 'Requests',
        dimension: 'tenant_id',
        tenants: tenantIds(12),
        now: now(),
        hours: 24,
        extraDimensions: { service: 'api' },
      }),
    ];
    const r = await runMonitoring(cloudWatchYaml());
    expect(r.criterion('cloudwatch.signals').summary).toBe('throughput has no breakdown by dimension tenant_id over 24 h (tenants not tagged)');
  });

  test('G13: an InternalError answer is retried through its NextToken, and the retried data counts', async () => {
    state.internalErrorOnce = ['latency', 'tenants'];
    const r = await runMonitoring(cloudWatchYaml());
    expect(r.result.status).toBe('PASS');
    expect(state.internalErrorOnce).toEqual([]);
    expect(sent().filter((b) => b.NextToken)).toHaveLength(2);
  });

  test('G13: Forbidden is not "no data": ERROR naming the signal and CloudWatch\'s message', async () => {
    state.forbiddenNamespaces = ['AWS/ApiGateway'];
    const r = await runMonitoring(cloudWatchYaml());
    expect(r.result.status).toBe('ERROR');
    expect(r.criterion('cloudwatch.signals').summary).toBe(
      'GetMetricData could not evaluate latency: Forbidden (Not authorized to read metrics in namespace AWS/ApiGateway)',
    );
  });

  test('P3: a signal CloudWatch rejects is ERROR with the AWS error, not FAIL', async () => {
    const r = await runMonitoring(
      cloudWatchYaml(`      signals:
        errors: { expression: 'SELECT SUM(5XXError) FROM SCHEMA("AWS/ApiGateway", ApiName)' }
`),
    );
    expect(r.result.status).toBe('ERROR');
    expect(r.criterion('cloudwatch.signals').summary).toMatch(/^ValidationException: MetricDataQueries\.member\.1\.Expression: .*double quotes \(HTTP 400\)$/);
  });

  test('access denied for the runner: ERROR (the AWS role is the means of measuring, not the integration)', async () => {
    state.accessKeyId = 'AKIAOTHERKEY00000000';
    const r = await runMonitoring(cloudWatchYaml());
    expect(r.result.status).toBe('ERROR');
    expect(r.criterion('cloudwatch.credentials').summary).toMatch(/^AccessDenied.*not authorized.*\(HTTP 400\)/);
  });

  test('alarm actions disabled, suppressed composite, no action: FAIL saying why', async () => {
    state.metricAlarms[0] = { ...state.metricAlarms[0], ActionsEnabled: false };
    state.metricAlarms[1] = { ...state.metricAlarms[1], AlarmActions: [] };
    state.compositeAlarms = [compositeAlarm('api-latency-composite', { rule: 'ALARM(api-p99)', suppressedBy: 'Alarm', suppressor: 'maintenance-window' })];
    const r = await runMonitoring(cloudWatchYaml());
    const summary = r.criterion('cloudwatch.alerting').summary;
    expect(summary).toContain('"api-5xx-errors" disabled');
    expect(summary).toContain('"api-p99" has no notification target');
    expect(summary).toContain(
      '"api-latency-composite" muted (actions suppressed (Alarm by arn:aws:cloudwatch:eu-west-1:111122223333:alarm:maintenance-window))',
    );
  });

  test('D6: an alarm whose only actions scale or reboot notifies nobody: FAIL "has no notification target"', async () => {
    state.metricAlarms[0] = metricAlarm('api-5xx-errors', {
      namespace: 'AWS/ApiGateway',
      metricName: '5XXError',
      actions: [
        'arn:aws:autoscaling:eu-west-1:111122223333:scalingPolicy:1a2b:autoScalingGroupName/web:policyName/up',
        'arn:aws:automate:eu-west-1:ec2:reboot',
      ],
    });
    const r = await runMonitoring(cloudWatchYaml());
    expect(r.result.status).toBe('FAIL');
    expect(r.criterion('cloudwatch.alerting').summary).toBe('no usable errors alert: "api-5xx-errors" has no notification target');
  });

  test('D6: Lambda, OpsItem and Incident Manager actions notify', async () => {
    state.metricAlarms[0] = metricAlarm('api-5xx-errors', {
      namespace: 'AWS/ApiGateway',
      metricName: '5XXError',
      actions: ['arn:aws:ssm-incidents::111122223333:responseplan/api'],
    });
    state.metricAlarms[1] = metricAlarm('api-p99', {
      namespace: 'AWS/ApiGateway',
      metricName: 'Latency',
      actions: ['arn:aws:lambda:eu-west-1:111122223333:function:page-oncall', 'arn:aws:ssm:eu-west-1:111122223333:opsitem:2#CATEGORY=Performance'],
    });
    const r = await runMonitoring(cloudWatchYaml());
    expect(r.result.status).toBe('PASS');
  });

  test('D4: alarms over several pages are all read (covering alarms on the last page)', async () => {
    state.metricAlarms = [
      ...Array.from({ length: 230 }, (_, i) => metricAlarm(`a-${String(i).padStart(3, '0')}-cpu`, { namespace: 'AWS/EC2', metricName: 'CPUUtilization' })),
      ...state.metricAlarms,
    ];
    const r = await runMonitoring(cloudWatchYaml());
    expect(r.result.status).toBe('PASS');
    expect(r.criterion('cloudwatch.alerting').evidence).toContain('232 alert rules read');
  });

  test('throttled then success: the SDK retry strategy recovers, PASS', async () => {
    state.throttled = 1;
    const r = await runMonitoring(cloudWatchYaml());
    expect(r.result.status).toBe('PASS');
    expect(state.throttled).toBe(0);
  });

  test('5xx: ERROR naming the AWS error', async () => {
    state.failWith = 500;
    const r = await runMonitoring(cloudWatchYaml());
    expect(r.result.status).toBe('ERROR');
    expect(r.criterion('cloudwatch.credentials').summary).toMatch(/InternalServiceFault: Internal failure \(HTTP 500\)/);
  });
});
