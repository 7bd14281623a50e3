import { CloudWatchClient, PutMetricAlarmCommand, PutMetricDataCommand, type PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import { CloudWatchMonitoring } from '../../lambda/sources/cloudwatch/monitoring';
import { describeWithMoto, startMoto, type MotoServer } from '../support/moto';

/**
 * A second opinion from moto (an independent AWS emulator) on the real adapter's SDK paths:
 * alarms created with PutMetricAlarm are read back by DescribeAlarms, and metric-stat signals
 * written with PutMetricData are counted by GetMetricData. moto validates none of the documented
 * GetMetricData limits and does not evaluate SEARCH or Metrics Insights, so those stay with the
 * contract stand-in (test/standins/cloudwatch.ts).
 */
describeWithMoto('gate 4 CloudWatch adapter against moto (second opinion)', () => {
  const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:api-oncall';
  let moto: MotoServer;
  let client: CloudWatchClient;
  const signal = new AbortController().signal;
  const adapter = (opts: Partial<ConstructorParameters<typeof CloudWatchMonitoring>[1]> = {}) =>
    new CloudWatchMonitoring(client, { tenantMetric: { namespace: 'SaaS/Api', metricName: 'Requests' }, region: 'eu-west-1', ...opts });
  const alarm = (input: Omit<PutMetricAlarmCommandInput, 'EvaluationPeriods' | 'ComparisonOperator'> & Partial<PutMetricAlarmCommandInput>) =>
    client.send(new PutMetricAlarmCommand({ EvaluationPeriods: 5, ComparisonOperator: 'GreaterThanThreshold', Threshold: 5, ...input }));

  beforeAll(async () => {
    moto = await startMoto();
    client = new CloudWatchClient({
      endpoint: moto.endpoint,
      region: 'eu-west-1',
      maxAttempts: 1,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
  }, 60_000);
  afterAll(async () => {
    client?.destroy();
    await moto?.stop();
  });
  beforeEach(() => moto.reset());

  test('DescribeAlarms: PutMetricAlarm alarms come back with what they watch, their state, and only notifying actions', async () => {
    await alarm({
      AlarmName: 'api-5xx-errors',
      Namespace: 'AWS/ApiGateway',
      MetricName: '5XXError',
      Dimensions: [{ Name: 'ApiName', Value: 'acme-api' }],
      Statistic: 'Sum',
      Period: 60,
      AlarmActions: [TOPIC],
    });
    await alarm({
      AlarmName: 'api-p99',
      Namespace: 'AWS/ApiGateway',
      MetricName: 'Latency',
      Dimensions: [{ Name: 'ApiName', Value: 'acme-api' }],
      ExtendedStatistic: 'p99',
      Period: 60,
      AlarmActions: [TOPIC],
    });
    await alarm({
      AlarmName: 'web-cpu-scale-up',
      Namespace: 'AWS/EC2',
      MetricName: 'CPUUtilization',
      Statistic: 'Average',
      Period: 300,
      AlarmActions: ['arn:aws:autoscaling:eu-west-1:123456789012:scalingPolicy:1a2b:autoScalingGroupName/web:policyName/up'],
    });
    await alarm({
      AlarmName: 'api-error-rate',
      Metrics: [
        { Id: 'errors', MetricStat: { Metric: { Namespace: 'AWS/ApiGateway', MetricName: '5XXError' }, Period: 60, Stat: 'Sum' }, ReturnData: false },
        { Id: 'rate', Expression: 'errors / 60', Label: 'errors per second', ReturnData: true },
      ],
      AlarmActions: [TOPIC],
    });

    const rules = await adapter().alertRules(signal);
    const byName = Object.fromEntries(rules.map((r) => [r.name, r]));
    expect(Object.keys(byName).sort()).toEqual(['api-5xx-errors', 'api-error-rate', 'api-p99', 'web-cpu-scale-up']);
    expect(byName['api-5xx-errors']).toMatchObject({
      enabled: true,
      notifies: [TOPIC],
      query: 'api-5xx-errors AWS/ApiGateway/5XXError',
      id: expect.stringMatching(/:alarm:api-5xx-errors$/),
    });
    expect(byName['api-5xx-errors'].state).toMatch(/^(OK|INSUFFICIENT_DATA|ALARM)$/);
    expect(byName['api-p99']).toMatchObject({ enabled: true, notifies: [TOPIC], query: 'api-p99 AWS/ApiGateway/Latency' });
    expect(byName['web-cpu-scale-up']).toMatchObject({ enabled: true, notifies: [] });
    expect(byName['api-error-rate'].query).toBe('api-error-rate AWS/ApiGateway/5XXError errors / 60');
  });

  test('DescribeAlarms: ActionsEnabled false is read as disabled; AlarmNamePrefix narrows the alarms read', async () => {
    // (moto 5.2.1 answers DisableAlarmActions in the old Query format only, so the flag is set at creation.)
    await alarm({
      AlarmName: 'api-5xx-errors',
      Namespace: 'AWS/ApiGateway',
      MetricName: '5XXError',
      Statistic: 'Sum',
      Period: 60,
      AlarmActions: [TOPIC],
      ActionsEnabled: false,
    });
    await alarm({ AlarmName: 'batch-errors', Namespace: 'AWS/Lambda', MetricName: 'Errors', Statistic: 'Sum', Period: 60, AlarmActions: [TOPIC] });
    const rules = await adapter({ alarmNamePrefix: 'api-' }).alertRules(signal);
    expect(rules).toEqual([expect.objectContaining({ name: 'api-5xx-errors', enabled: false, notifies: [TOPIC] })]);
    await expect(adapter().verifyCredentials(signal)).resolves.toBe('DescribeAlarms answered in eu-west-1');
  });

  test('GetMetricData: metric-stat signals written with PutMetricData are counted as datapoints, zeros included', async () => {
    const now = Date.now();
    const minutes = [2, 3, 4, 5, 6].map((m) => new Date(Math.floor(now / 60_000) * 60_000 - m * 60_000));
    await client.send(
      new PutMetricDataCommand({
        Namespace: 'SaaS/Api',
        MetricData: minutes.flatMap((Timestamp) => [
          { MetricName: 'Latency', Timestamp, Value: 120, Unit: 'Milliseconds' },
          { MetricName: 'Errors', Timestamp, Value: 0, Unit: 'Count' },
          { MetricName: 'Requests', Timestamp, Value: 40, Unit: 'Count' },
        ]),
      }),
    );
    const readings = await adapter({
      signals: {
        latency: { namespace: 'SaaS/Api', metricName: 'Latency', stat: 'Average' },
        errors: { namespace: 'SaaS/Api', metricName: 'Errors' },
        throughput: { namespace: 'SaaS/Api', metricName: 'Requests' },
      },
    }).readSignals({ from: new Date(now - 15 * 60_000), to: new Date(now) }, signal);
    expect(readings.latency.samples).toBe(5);
    expect(readings.errors.samples).toBe(5);
    expect(readings.throughput.samples).toBe(5);
    // moto aligns its periods on StartTime instead of rounding it down to the minute (G11).
    expect(readings.throughput.lastAt!.getTime()).toBeGreaterThan(minutes[0].getTime() - 60_000);
    expect(readings.throughput.lastAt!.getTime()).toBeLessThanOrEqual(minutes[0].getTime());
  });
});
