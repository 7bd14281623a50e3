import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { HISTORY_RETENTION_DAYS } from '../lambda/core/history';
import { acknowledge } from './acknowledge';

export interface ReadinessResultsProps {
  /** Days a report stays in S3. Default 400 (as long as the history table keeps results). */
  reportRetentionDays?: number;
  /** Keep the table and bucket when the stack is deleted. Default RETAIN: readiness history is evidence. */
  removalPolicy?: RemovalPolicy;
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
    acknowledge(this.bucket, 'AwsSolutions-S1', 'The reports bucket is written only by the readiness functions, each limited by IAM to its own gate prefix; an access-log bucket would double the storage for a few KB of reports per run. Enable CloudTrail S3 data events to audit reads.');
  }
}
