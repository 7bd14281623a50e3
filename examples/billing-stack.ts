import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { markPooled } from '../lib/nag';

const METERING_CODE = `
exports.handler = async () => ({ metered: 0 });
`;

/**
 * The automation the readiness gates protect: hourly usage metering into a per-tenant usage table
 * that invoicing reads. Deployed as `<suite>-billing`, it is the stack the deploy hook holds while
 * the suite is not READY (examples/guarded-app.ts).
 */
export class BillingStack extends Stack {
  readonly usage: dynamodb.Table;
  readonly metering: lambda.Function;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, { description: 'Example: per-tenant usage metering that invoicing reads', ...props });
    this.usage = new dynamodb.Table(this, 'TenantUsage', {
      partitionKey: { name: 'tenantId', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'hour', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.metering = new lambda.Function(this, 'Metering', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(METERING_CODE),
      memorySize: 256,
      timeout: Duration.minutes(1),
      environment: { USAGE_TABLE: this.usage.tableName },
      logGroup: new logs.LogGroup(this, 'MeteringLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY }),
    });
    this.usage.grantWriteData(this.metering);
    this.metering
      .metricErrors({ period: Duration.hours(1) })
      .createAlarm(this, 'MeteringErrors', { threshold: 1, evaluationPeriods: 1, alarmDescription: 'Usage metering failed' });
    new events.Rule(this, 'Hourly', { schedule: events.Schedule.rate(Duration.hours(1)), targets: [new targets.LambdaFunction(this.metering)] });
    markPooled(this);
  }
}
