import { sendJson, startLocalServer, tenantIds, type LocalServer } from '../standins/local-server';

export interface CloudWatchState {
  accessKeyId: string;
  signals: { latency: boolean; errors: boolean; throughput: boolean };
  tenants: string[];
  metricAlarms: Record<string, unknown>[];
  compositeAlarms: Record<string, unknown>[];
  /** Answer this many requests with a Throttling error before serving. */
  throttled: number;
  failWith?: number;
}

const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:api-oncall';

export function healthyCloudWatch(): CloudWatchState {
  return {
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    signals: { latency: true, errors: true, throughput: true },
    tenants: tenantIds(12),
    metricAlarms: [
      { AlarmName: 'api-5xx-errors', AlarmArn: 'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:api-5xx-errors', Namespace: 'AWS/ApiGateway', MetricName: '5XXError', ActionsEnabled: true, AlarmActions: [TOPIC], StateValue: 'OK' },
      { AlarmName: 'api-p99', AlarmArn: 'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:api-p99', Namespace: 'AWS/ApiGateway', MetricName: 'Latency', ActionsEnabled: true, AlarmActions: [TOPIC], StateValue: 'OK' },
    ],
    compositeAlarms: [],
    throttled: 0,
    failWith: undefined,
  };
}

/**
 * A local CloudWatch speaking what @aws-sdk/client-cloudwatch 3.11xx sends: AWS JSON 1.0
 * (`X-Amz-Target: GraniteServiceVersion20100801.<Operation>`, awsQueryCompatible errors via
 * `x-amzn-query-error`), timestamps as epoch seconds.
 */
export async function startFakeCloudWatch(state: CloudWatchState): Promise<LocalServer> {
  return startLocalServer(({ method, headers, body }, res) => {
    const json = { 'content-type': 'application/x-amz-json-1.0' };
    const target = String(headers['x-amz-target'] ?? '');
    if (method !== 'POST' || headers['content-type'] !== 'application/x-amz-json-1.0' || !target.startsWith('GraniteServiceVersion20100801.')) {
      return sendJson(res, 400, { __type: 'com.amazon.coral.service#UnknownOperationException' }, json);
    }
    if (state.failWith) return sendJson(res, state.failWith, { __type: 'InternalServiceError', message: 'Internal failure' }, { ...json, 'x-amzn-query-error': 'InternalServiceError;Receiver' });
    if (state.throttled > 0) {
      state.throttled--;
      return sendJson(res, 400, { __type: 'com.amazon.coral.availability#ThrottlingException', message: 'Rate exceeded' }, { ...json, 'x-amzn-query-error': 'Throttling;Sender' });
    }
    if (!String(headers.authorization ?? '').includes(`Credential=${state.accessKeyId}/`)) {
      return sendJson(res, 400, { __type: 'com.amazon.coral.service#AccessDeniedException', message: 'User is not authorized to perform: cloudwatch:DescribeAlarms' }, { ...json, 'x-amzn-query-error': 'AccessDenied;Sender' });
    }
    const input = JSON.parse(body || '{}');
    const op = target.split('.')[1];
    if (op === 'DescribeAlarms') {
      return sendJson(res, 200, { MetricAlarms: state.metricAlarms, CompositeAlarms: (input.AlarmTypes ?? []).includes('CompositeAlarm') ? state.compositeAlarms : [] }, json);
    }
    if (op === 'GetMetricData') {
      const end = Number(input.EndTime);
      const results: unknown[] = [];
      for (const q of input.MetricDataQueries as { Id: string; Expression?: string }[]) {
        if (q.Id === 'tenants') {
          if (!q.Expression?.startsWith('SEARCH(')) return sendJson(res, 400, { __type: 'InvalidParameterValue', message: 'bad expression' }, { ...json, 'x-amzn-query-error': 'InvalidParameterValue;Sender' });
          for (const t of state.tenants) results.push({ Id: 'tenants', Label: t, Timestamps: [end - 3600, end - 7200], Values: [30, 12], StatusCode: 'Complete' });
          continue;
        }
        const has = state.signals[q.Id as keyof CloudWatchState['signals']];
        results.push({ Id: q.Id, Label: q.Id, Timestamps: has ? [end - 60, end - 120] : [], Values: has ? [1.5, 0] : [], StatusCode: 'Complete' });
      }
      return sendJson(res, 200, { MetricDataResults: results, Messages: [] }, json);
    }
    return sendJson(res, 400, { __type: 'com.amazon.coral.service#UnknownOperationException' }, json);
  });
}
