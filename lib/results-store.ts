import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { Stack } from 'aws-cdk-lib';
import { PolicyStatement, type IGrantable, type IRole } from 'aws-cdk-lib/aws-iam';
import { HISTORY_RETENTION_DAYS, historyKey } from '../lambda/core/history';
import { reportPrefix } from '../lambda/handlers/contract';
import { acknowledge } from './acknowledge';

export interface ReadinessResultsProps {
  /**
   * Days a report stays in S3 (as long as the history table keeps results).
   * @default 400
   */
  readonly reportRetentionDays?: number;
  /**
   * Keep the table and bucket when the stack is deleted: readiness history is evidence.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Where results go: the append-only history table (the same table gate 3 keeps its schema
 * fingerprints in: string keys pk/sk, TTL on expiresAt, point-in-time recovery) and a private,
 * encrypted, SSL-only bucket for reports and artifacts.
 */
export class ReadinessResults extends Construct {
  readonly table: Table;
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: ReadinessResultsProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.table = new Table(this, 'History', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiresAt',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      removalPolicy,
    });
    this.bucket = new Bucket(this, 'Reports', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        {
          id: 'expire-reports',
          expiration: Duration.days(props.reportRetentionDays ?? HISTORY_RETENTION_DAYS),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy,
    });
    acknowledge(
      this.bucket,
      'AwsSolutions-S1',
      'The reports bucket is written only by the readiness functions, each limited by IAM to its own gate prefix; an access-log bucket would double the storage for a few KB of reports per run. Enable CloudTrail S3 data events to audit reads.',
    );
  }

  /** Appends a gate's results to its own partition of the history (Query: the previous run, to notify only on a change). */
  grantAppendResults(grantee: IGrantable, suite: string, gate: string): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'AppendOwnResults',
        actions: ['dynamodb:PutItem', 'dynamodb:Query'],
        resources: [this.table.tableArn],
        conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [historyKey.result(suite, gate)] } },
      }),
    );
  }

  /** Reads the suite's break-glass acknowledgements (their partition only). */
  grantReadAcknowledgements(grantee: IGrantable, suite: string): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReadAcknowledgements',
        actions: ['dynamodb:Query'],
        resources: [this.table.tableArn],
        conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [historyKey.ack(suite)] } },
      }),
    );
  }

  /** Writes a gate's reports under its own prefix, `reports/<suite>/<gate>/`, and nowhere else. */
  grantWriteReports(grantee: IRole, suite: string, gate: string): void {
    const prefix = reportPrefix(suite, gate);
    grantee.addToPrincipalPolicy(
      new PolicyStatement({ sid: 'WriteOwnReports', actions: ['s3:PutObject'], resources: [this.bucket.arnForObjects(`${prefix}*`)] }),
    );
    const bucket = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as never);
    acknowledge(
      grantee,
      `AwsSolutions-IAM5[Resource::<${bucket}.Arn>/${prefix}*]`,
      `Reports are written under the gate's own prefix ${prefix} with a timestamp in the key; nothing outside it.`,
    );
  }
}
