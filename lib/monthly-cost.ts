/**
 * The monthly cost of a synthesized ReadinessStack, itemised from its template's resources (not a
 * hand-kept list): what CloudWatch, KMS and the dashboard charge for what the template declares,
 * and the per-run charges (Lambda, logs, DynamoDB, S3, Cost Explorer) from its schedules.
 * docs/costs.md explains each line; `npm run bench` prints it for the example app.
 */

/** us-east-1 list prices, without free tiers (the always-free CloudWatch tier is noted separately). */
export const PRICES = {
  /** Per custom metric-month, prorated by the hour: CloudWatch meters a custom metric only in hours it receives data. */
  customMetric: 0.3,
  /** Per metric of a standard-resolution alarm, per month. */
  alarmMetric: 0.1,
  highResolutionAlarmMetric: 0.3,
  compositeAlarm: 0.5,
  dashboard: 3,
  kmsKey: 1,
  lambdaGbSecond: { arm64: 0.0000133334, x86_64: 0.0000166667 },
  lambdaRequest: 0.2 / 1e6,
  logsIngestGb: 0.5,
  dynamoWriteUnit: 0.625 / 1e6,
  s3Put: 0.005 / 1000,
  costExplorerRequest: 0.01,
} as const;

/** What a run does besides what the template says, stated so the arithmetic can be redone. */
export const RUN_ASSUMPTIONS = {
  hoursPerMonth: 730,
  /** Billed seconds per run (gate 1 runs in about 1 s against local stand-ins; AWS adds network). */
  secondsPerRun: 3,
  /** Powertools lines of one run: the result line, the EMF document and a few more. */
  logBytesPerRun: 4_000,
  /** A history record of 1–2 KB: 2 write request units. */
  writeUnitsPerRun: 2,
  /** report.json and report.md. */
  s3PutsPerRun: 2,
  /** GetCostAndUsage pages per cost run: one per month of a window over two months (the gate stops at maxCostExplorerUsd). */
  costExplorerRequestsPerRun: 2,
} as const;

export interface CostLine {
  item: string;
  count: number;
  usd: number;
  arithmetic: string;
}

export interface MonthlyCost {
  totalUsd: number;
  lines: CostLine[];
  /** What the always-free CloudWatch tier (10 custom metrics, 10 alarm metrics, 3 dashboards) would take off. */
  freeTierNote: string;
}

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation resources are untyped JSON
type Resource = { Type: string; Properties?: any };

const round = (usd: number) => Math.round(usd * 10_000) / 10_000;

/** Hours between runs of an EventBridge `rate(...)` expression; undefined for a cron or another expression. */
export function rateHours(expression: unknown): number | undefined {
  const m = typeof expression === 'string' ? /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression) : null;
  if (!m) return undefined;
  const n = Number(m[1]);
  return m[2].startsWith('minute') ? n / 60 : m[2].startsWith('hour') ? n : n * 24;
}

/** A string, or an `Fn::Join` of strings and tokens (tokens as `TOKEN`). */
function joined(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join'];
  if (!join) return '';
  return join[1].map((p) => (typeof p === 'string' ? p : 'TOKEN')).join(join[0]);
}

/** A reference (`{ Ref }`, `{ Fn::GetAtt }`) to a resource's logical id, else undefined. */
function refOf(value: unknown): string | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
  return v.Ref ?? v['Fn::GetAtt']?.[0];
}

/** The monthly cost of the resources of one CloudFormation template. */
export function monthlyCostOf(template: { Resources?: Record<string, Resource> }): MonthlyCost {
  const A = RUN_ASSUMPTIONS;
  const resources = Object.entries(template.Resources ?? {});
  const ofType = (type: string) => resources.filter(([, r]) => r.Type === type);
  const lines: CostLine[] = [];
  const add = (item: string, count: number, usd: number, arithmetic: string) => lines.push({ item, count, usd: round(usd), arithmetic });

  // Custom metrics: every distinct metric an alarm watches outside the AWS/ namespaces, prorated by the hours it receives data.
  const metrics = new Map<string, number>();
  let alarmMetrics = 0;
  let highResolution = 0;
  for (const [, r] of ofType('AWS::CloudWatch::Alarm')) {
    const p = r.Properties ?? {};
    const stats = p.Metrics
      ? // biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON
        p.Metrics.filter((m: any) => m.MetricStat).map((m: any) => ({ ...m.MetricStat.Metric, Period: m.MetricStat.Period }))
      : [{ Namespace: p.Namespace, MetricName: p.MetricName, Dimensions: p.Dimensions, Period: p.Period }];
    for (const s of stats) {
      if (Number(s.Period) < 60) highResolution++;
      else alarmMetrics++;
      if (typeof s.Namespace === 'string' && !s.Namespace.startsWith('AWS/')) {
        const id = JSON.stringify([s.Namespace, s.MetricName, s.Dimensions ?? []]);
        const hoursBetweenData = Math.max(1, Number(s.Period) / 3600);
        metrics.set(id, Math.min(metrics.get(id) ?? Number.POSITIVE_INFINITY, hoursBetweenData));
      }
    }
  }
  // Metrics a dashboard graphs are billed too (the handler emits only what the alarms and the dashboard reference; test/cdk/deployed.test.ts proves it).
  for (const [, r] of ofType('AWS::CloudWatch::Dashboard')) {
    let body: { widgets?: { properties?: { metrics?: unknown[][]; period?: number } }[] } = {};
    try {
      body = JSON.parse(joined(r.Properties?.DashboardBody));
    } catch {
      continue;
    }
    for (const w of body.widgets ?? []) {
      for (const m of w.properties?.metrics ?? []) {
        const [namespace, name, ...rest] = m.filter((x): x is string => typeof x === 'string');
        if (!namespace || namespace.startsWith('AWS/') || namespace === '...') continue;
        const dims = [];
        for (let i = 0; i + 1 < rest.length; i += 2) dims.push({ Name: rest[i], Value: rest[i + 1] });
        const id = JSON.stringify([namespace, name, dims]);
        if (!metrics.has(id)) metrics.set(id, 1);
      }
    }
  }
  const metricMonths = [...metrics.values()].reduce((sum, hours) => sum + 1 / hours, 0);
  add(
    'CloudWatch custom metrics',
    metrics.size,
    metricMonths * PRICES.customMetric,
    `${metrics.size} metric(s) watched by alarms, billed for the hours they receive data: ${[...metrics.values()].map((h) => (h === 1 ? '1' : `1/${h}`)).join(' + ') || '0'} = ${metricMonths.toFixed(3)} metric-months × $${PRICES.customMetric}`,
  );
  add(
    'CloudWatch alarms (standard)',
    alarmMetrics,
    alarmMetrics * PRICES.alarmMetric + highResolution * PRICES.highResolutionAlarmMetric,
    `${alarmMetrics} alarm metric(s) × $${PRICES.alarmMetric}${highResolution ? ` + ${highResolution} high-resolution × $${PRICES.highResolutionAlarmMetric}` : ''}`,
  );
  const composites = ofType('AWS::CloudWatch::CompositeAlarm').length;
  add('CloudWatch composite alarms', composites, composites * PRICES.compositeAlarm, `${composites} × $${PRICES.compositeAlarm}`);
  const dashboards = ofType('AWS::CloudWatch::Dashboard').length;
  add(
    'CloudWatch dashboards',
    dashboards,
    dashboards * PRICES.dashboard,
    `${dashboards} × $${PRICES.dashboard} (the first 3 dashboards of an account are free)`,
  );
  const keys = ofType('AWS::KMS::Key').length;
  add(
    'KMS customer-managed keys',
    keys,
    keys * PRICES.kmsKey,
    `${keys} × $${PRICES.kmsKey} (the alarm topic's key: CloudWatch cannot publish to the AWS-managed SNS key)`,
  );

  // Runs: every scheduled rule that targets a function, at its rate.
  const functions = new Map(ofType('AWS::Lambda::Function').map(([id, r]) => [id, r]));
  let runs = 0;
  let gbSeconds = 0;
  let arm = true;
  let costRuns = 0;
  for (const [, rule] of ofType('AWS::Events::Rule')) {
    const hours = rateHours(rule.Properties?.ScheduleExpression);
    if (hours === undefined) continue;
    for (const target of rule.Properties?.Targets ?? []) {
      const fn = functions.get(refOf(target.Arn) ?? '');
      if (!fn) continue;
      const perMonth = A.hoursPerMonth / hours;
      runs += perMonth;
      const memoryGb = (fn.Properties?.MemorySize ?? 128) / 1024;
      gbSeconds += perMonth * A.secondsPerRun * memoryGb;
      if (!(fn.Properties?.Architectures ?? ['x86_64']).includes('arm64')) arm = false;
      const config = String(fn.Properties?.Environment?.Variables?.SAAS_READINESS_CONFIG ?? '');
      if (/"type":"costexplorer"/.test(config)) costRuns += perMonth;
    }
  }
  const gbPrice = arm ? PRICES.lambdaGbSecond.arm64 : PRICES.lambdaGbSecond.x86_64;
  add(
    'Lambda compute',
    functions.size,
    gbSeconds * gbPrice,
    `${runs.toFixed(0)} scheduled runs × ${A.secondsPerRun} s at their memory = ${gbSeconds.toFixed(0)} GB-s × $${gbPrice}`,
  );
  add('Lambda requests', Math.round(runs), runs * PRICES.lambdaRequest, `${runs.toFixed(0)} × $0.20/1M`);
  add('EventBridge scheduled rules', ofType('AWS::Events::Rule').length, 0, 'scheduled events on the default bus are free');
  add(
    'CloudWatch Logs ingestion',
    Math.round(runs),
    (runs * A.logBytesPerRun * PRICES.logsIngestGb) / 1e9,
    `${runs.toFixed(0)} runs × ${A.logBytesPerRun} B × $0.50/GB`,
  );
  add(
    'DynamoDB history writes (on demand)',
    ofType('AWS::DynamoDB::Table').length,
    runs * A.writeUnitsPerRun * PRICES.dynamoWriteUnit,
    `${runs.toFixed(0)} runs × ${A.writeUnitsPerRun} WRU × $0.625/1M (storage: a few MB a year)`,
  );
  add(
    'S3 report PUTs',
    ofType('AWS::S3::Bucket').length,
    runs * A.s3PutsPerRun * PRICES.s3Put,
    `${runs.toFixed(0)} runs × ${A.s3PutsPerRun} PUT × $0.005/1000 (storage: a few MB)`,
  );
  add(
    'Cost Explorer requests',
    Math.round(costRuns * A.costExplorerRequestsPerRun),
    costRuns * A.costExplorerRequestsPerRun * PRICES.costExplorerRequest,
    `${costRuns.toFixed(0)} cost runs × ${A.costExplorerRequestsPerRun} requests × $0.01`,
  );
  const queuesAndTopics = ofType('AWS::SQS::Queue').length + ofType('AWS::SNS::Topic').length;
  add('SQS queues and SNS topics', queuesAndTopics, 0, 'no charge at rest; a few messages a month fall in the free 1M requests');

  const totalUsd = Math.round(lines.reduce((sum, l) => sum + l.usd, 0) * 100) / 100;
  const freeMetrics = Math.min(10, metricMonths) * PRICES.customMetric;
  const freeAlarms = Math.min(10, alarmMetrics) * PRICES.alarmMetric;
  const freeDashboards = Math.min(3, dashboards) * PRICES.dashboard;
  const free = freeMetrics + freeAlarms + freeDashboards;
  return {
    totalUsd,
    lines,
    freeTierNote: `in an account with nothing else in CloudWatch's always-free tier (10 custom metrics, 10 alarm metrics, 3 dashboards) it would be $${Math.max(0, totalUsd - free).toFixed(2)}`,
  };
}
