import { healthyCloudWatch, startFakeCloudWatch, type CloudWatchState } from './fake-cloudwatch';
import { cloudWatchYaml, runMonitoring } from './harness';
import type { LocalServer } from '../standins/local-server';

/** The real @aws-sdk/client-cloudwatch, pointed at a local endpoint with AWS_ENDPOINT_URL_CLOUDWATCH. */
describe('gate monitoring: CloudWatch through the AWS SDK against a local endpoint', () => {
  let state: CloudWatchState;
  let server: LocalServer;
  const saved = { ...process.env };
  beforeAll(async () => {
    state = healthyCloudWatch();
    server = await startFakeCloudWatch(state);
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
  beforeEach(() => Object.assign(state, healthyCloudWatch()));

  test('healthy: PASS; the SDK speaks AWS JSON 1.0 (query-compatible) to the endpoint', async () => {
    const r = await runMonitoring(cloudWatchYaml());
    expect(r.result.status).toBe('PASS');
    expect(r.criterion('cloudwatch.signals').summary).toContain('12 tenants monitored by dimension TenantId');
    expect(r.criterion('cloudwatch.alerting').evidence?.join('\n')).toContain('"api-5xx-errors" [OK] → arn:aws:sns:eu-west-1:111122223333:api-oncall');
    const targets = server.requests.map((q) => q.headers['x-amz-target']);
    expect(targets).toEqual(expect.arrayContaining(['GraniteServiceVersion20100801.DescribeAlarms', 'GraniteServiceVersion20100801.GetMetricData']));
    const search = server.requests.map((q) => JSON.parse(q.body)).find((b) => b.MetricDataQueries?.[0]?.Id === 'tenants');
    expect(search.MetricDataQueries[0].Expression).toBe(`SEARCH('{"SaaS/Api",TenantId} MetricName=Requests', 'Sum', 3600)`);
    expect(search.EndTime - search.StartTime).toBe(24 * 3600);
  });

  test('access denied for the runner: ERROR (the AWS role is the means of measuring, not the integration)', async () => {
    state.accessKeyId = 'AKIAOTHERKEY00000000';
    const r = await runMonitoring(cloudWatchYaml());
    expect(r.result.status).toBe('ERROR');
    expect(r.criterion('cloudwatch.credentials').summary).toMatch(/^AccessDenied.*not authorized.*\(HTTP 400\)/);
  });

  test('a missing signal: FAIL naming it', async () => {
    state.signals.throughput = false;
    const r = await runMonitoring(cloudWatchYaml());
    expect(r.result.status).toBe('FAIL');
    expect(r.criterion('cloudwatch.signals').summary).toContain('no throughput data in the last 15 min');
  });

  test('too few tenants in the breakdown', async () => {
    state.tenants = state.tenants.slice(0, 2);
    const r = await runMonitoring(cloudWatchYaml());
    expect(r.criterion('cloudwatch.signals').summary).toContain('dimension TenantId shows only 2 tenants over 24 h, need ≥ 10');
  });

  test('alarm actions disabled, suppressed composite, no action: FAIL saying why', async () => {
    (state.metricAlarms[0] as any).ActionsEnabled = false;
    (state.metricAlarms[1] as any).AlarmActions = [];
    state.compositeAlarms = [
      { AlarmName: 'api-latency-composite', AlarmRule: 'ALARM(api-p99)', ActionsEnabled: true, AlarmActions: ['arn:aws:sns:eu-west-1:1:x'], ActionsSuppressedBy: 'Alarm', ActionsSuppressor: 'maintenance-window' },
    ];
    const r = await runMonitoring(cloudWatchYaml());
    const summary = r.criterion('cloudwatch.alerting').summary;
    expect(summary).toContain('"api-5xx-errors" disabled');
    expect(summary).toContain('"api-p99" has no notification target');
    expect(summary).toContain('"api-latency-composite" muted (actions suppressed (Alarm by maintenance-window))');
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
