/** The `cloudwatch` source: CloudWatch metrics and alarms of the runner's account and region, a gate 4 monitoring provider. */
import { MONITORING_PROVIDER } from '../../checks/monitoring/ports';
import { opens, type SourceDefinition } from '../../core/source';
import type { CloudWatchMonitoringOptions } from './monitoring';
import { cloudWatchSourceSchema, DEFAULT_TENANT_DIMENSION, type CloudWatchSourceConfig } from './schema';

export type { CloudWatchSourceConfig } from './schema';

const query = { type: 'string', minLength: 1 };
const signal = {
  type: 'object',
  oneOf: [
    { additionalProperties: false, required: ['expression'], properties: { expression: { ...query, maxLength: 2048 } } },
    {
      additionalProperties: false,
      required: ['namespace', 'metricName'],
      properties: {
        namespace: query,
        metricName: query,
        dimensions: { type: 'object', additionalProperties: { type: 'string' } },
        stat: { type: 'string', default: 'Sum' },
      },
    },
  ],
};

export const source: SourceDefinition<CloudWatchSourceConfig> = {
  type: 'cloudwatch',
  title: 'CloudWatch',
  module: __filename,
  schema: cloudWatchSourceSchema,
  opens: [
    opens(MONITORING_PROVIDER, {
      optionsSchema: {
        required: ['tenantMetric'],
        properties: {
          signals: {
            type: 'object',
            additionalProperties: false,
            description: 'Each an expression (Metrics Insights, metric math, SEARCH) or a metric; defaults: API Gateway REST API Latency, 5XXError, Count.',
            properties: { latency: signal, errors: signal, throughput: signal },
          },
          tenantMetric: {
            type: 'object',
            additionalProperties: false,
            required: ['namespace', 'metricName'],
            description: 'Per-tenant request metric, broken down by its tenant dimension with SEARCH.',
            properties: {
              namespace: query,
              metricName: query,
              dimension: { type: 'string', minLength: 1, maxLength: 255, default: DEFAULT_TENANT_DIMENSION },
              stat: { type: 'string', default: 'Sum' },
            },
          },
          alarmNamePrefix: { type: 'string', minLength: 1, description: 'Only alarms whose name starts with this.' },
        },
      },
      permissions: () => [
        {
          sid: 'ReadMonitoring',
          // Composite alarms are only returned when DescribeAlarms is granted on "*" (docs/contracts/cloudwatch.md).
          actions: ['cloudwatch:GetMetricData', 'cloudwatch:DescribeAlarms'],
          resources: ['*'],
          wildcardReason:
            'cloudwatch:GetMetricData has no resource-level permissions, and cloudwatch:DescribeAlarms returns composite alarms only when granted on "*"; both are read-only',
        },
      ],
      async open(src, options) {
        // The SDK's standard retry strategy handles throttling (with backoff) within maxAttempts.
        // The adapter and the SDK client load when the gate opens the port, not when the declaration is read.
        const [{ CloudWatchClient }, { CloudWatchMonitoring }] = [
          require('@aws-sdk/client-cloudwatch') as typeof import('@aws-sdk/client-cloudwatch'),
          require('./monitoring') as typeof import('./monitoring'),
        ];
        const client = new CloudWatchClient({
          ...(src.region ? { region: src.region } : {}),
          maxAttempts: 3,
          requestHandler: { requestTimeout: 10_000, connectionTimeout: 5_000 },
        });
        const region = src.region ?? (await client.config.region().catch(() => 'region not set'));
        return new CloudWatchMonitoring(client, { ...(options as unknown as Omit<CloudWatchMonitoringOptions, 'region'>), region });
      },
    }),
  ],
};
