import { Duration } from 'aws-cdk-lib';
import { AlarmStatusWidget, Dashboard, LogQueryVisualizationType, LogQueryWidget, TextWidget, type IAlarm, type IWidget } from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
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
      // Counts and amounts come from the result log line (Logs Insights), not custom metrics: the
      // gate emits one metric, Passed, which its alarm watches (issue 15: ≤ $5 a month at defaults).
      gates.map(({ plan, fn }) => {
        const key = plan.keyMeasurement;
        const threshold = plan.threshold;
        const tolerance = key.symmetric && threshold !== undefined ? ` (tolerance ±${threshold}%)` : '';
        return new LogQueryWidget({
          title: `${plan.id}: ${key.label}${key.symmetric ? ' (variance trend)' : ''}${tolerance}`,
          logGroupNames: [fn.logGroup.logGroupName],
          view: LogQueryVisualizationType.LINE,
          queryLines: [
            `filter message = "${RESULT_LOG_MESSAGE}" and run = "scheduled" and keyMetric = "${key.metric}"`,
            `stats avg(keyValue) as ${key.metric} by bin(${plan.scheduleHours}h)`,
          ],
          width: Math.max(6, Math.floor(24 / gates.length)),
          height: 6,
        });
      }),
      [
        new LogQueryWidget({
          title: 'Runs by gate and status',
          logGroupNames: gates.map(({ fn }) => fn.logGroup.logGroupName),
          view: LogQueryVisualizationType.TABLE,
          queryLines: [
            `filter message = "${RESULT_LOG_MESSAGE}"`,
            'stats count(*) as runs, avg(durationMs) as avgDurationMs by gate, run, status',
            'sort gate asc, run asc, status asc',
          ],
          width: 24,
          height: 6,
        }),
      ],
    ];
    for (const row of rows) if (row.length) this.dashboard.addWidgets(...row);
  }
}
