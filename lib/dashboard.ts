import { Duration } from 'aws-cdk-lib';
import {
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  LogQueryVisualizationType,
  LogQueryWidget,
  TextWidget,
  type IAlarm,
  type IWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { STATUS_METRICS } from '../lambda/core/metrics';
import { RESULT_LOG_MESSAGE } from '../lambda/handlers/contract';
import type { GatePlan } from './deployment-plan';
import type { ReadinessGateFunction } from './gate-function';

export interface ReadinessDashboardProps {
  readonly suite: string;
  readonly gates: readonly { readonly plan: GatePlan; readonly fn: ReadinessGateFunction }[];
  readonly notReady: IAlarm;
  readonly reportsBucketName: string;
}

/**
 * `<suite>-readiness`: each gate green/red (alarm status), the key measurements over time, the
 * cost variance trend against its tolerance, and the latest result of every gate with its reason.
 */
export class ReadinessDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: ReadinessDashboardProps) {
    super(scope, id);
    const { suite, gates } = props;
    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: `${suite}-readiness`, defaultInterval: Duration.days(7) });
    const alarms = [props.notReady, ...gates.flatMap(({ fn }) => (fn.probeAlarm ? [fn.alarm, fn.probeAlarm] : [fn.alarm]))];
    const rows: IWidget[][] = [
      [
        new TextWidget({
          markdown: `## Readiness of ${suite}\nGreen: the gate's last run PASSed. Red: FAIL, ERROR, SKIP, or no result within its schedule. Reports: \`s3://${props.reportsBucketName}/reports/${suite}/\``,
          width: 24,
          height: 2,
        }),
      ],
      [new AlarmStatusWidget({ title: 'Gate status', alarms, width: 24, height: Math.min(6, 1 + Math.ceil(alarms.length / 4)) })],
      [
        new LogQueryWidget({
          title: 'Latest result per gate',
          logGroupNames: gates.map(({ fn }) => fn.logGroup.logGroupName),
          view: LogQueryVisualizationType.TABLE,
          queryLines: [
            'fields @timestamp, gate, run, status, summary',
            `filter message = "${RESULT_LOG_MESSAGE}"`,
            'stats latest(status) as status, latest(summary) as reason, latest(run) as run, max(@timestamp) as at by gate',
            'sort gate asc',
          ],
          width: 24,
          height: 6,
        }),
      ],
      gates.map(({ plan, fn }) => {
        const key = plan.keyMeasurement;
        const metric = fn.metric(key.metric, 'scheduled', plan.scheduleHours, 'Average').with({ label: key.label });
        const threshold = plan.threshold;
        return new GraphWidget({
          title: `${plan.id}: ${key.label}${key.symmetric ? ' (variance trend)' : ''}`,
          left: [metric],
          ...(key.symmetric && threshold !== undefined
            ? {
                leftAnnotations: [
                  { value: threshold, label: `+${threshold}% tolerance` },
                  { value: -threshold, label: `-${threshold}% tolerance` },
                ],
              }
            : {}),
          width: Math.max(6, Math.floor(24 / gates.length)),
          height: 6,
        });
      }),
      gates.map(
        ({ plan, fn }) =>
          new GraphWidget({
            title: `${plan.id}: runs by status`,
            left: Object.values(STATUS_METRICS).map((name) => fn.metric(name, 'scheduled', plan.scheduleHours, 'Sum').with({ label: name })),
            stacked: true,
            width: Math.max(6, Math.floor(24 / gates.length)),
            height: 6,
          }),
      ),
    ];
    for (const row of rows) if (row.length) this.dashboard.addWidgets(...row);
  }
}
