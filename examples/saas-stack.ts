import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { markConfigStore, markPooled, markTenantRegistry } from '../lib/nag';

/** A pricing tier: one usage plan with its own quota and rate limits. */
export interface Tier {
  readonly name: 'Free' | 'Pro' | 'Enterprise';
  readonly requestsPerDay: number;
  readonly rateLimit: number;
  readonly burstLimit: number;
}

export const TIERS: readonly Tier[] = [
  { name: 'Free', requestsPerDay: 1_000, rateLimit: 5, burstLimit: 10 },
  { name: 'Pro', requestsPerDay: 50_000, rateLimit: 50, burstLimit: 100 },
  { name: 'Enterprise', requestsPerDay: 1_000_000, rateLimit: 500, burstLimit: 1_000 },
];

const HANDLER_CODE = `
exports.handler = async (event) => ({
  statusCode: 200,
  body: JSON.stringify({ tenantId: event.pathParameters && event.pathParameters.tenantId }),
});
`;

/**
 * A small multi-tenant SaaS in the shape of the course, built to pass the readiness pack:
 * a REST API with one usage plan and API key per tier, one Lambda function, a tenant registry
 * table (sbt-aws layout, keyed by tenantId) and a tenant config table, all pooled and tagged
 * `tenant_id=shared`, plus one siloed vector-index bucket for an Enterprise tenant.
 */
export class SaaSStack extends Stack {
  public readonly tenantRegistry: dynamodb.Table;
  public readonly tenantConfig: dynamodb.Table;
  public readonly handler: lambda.Function;
  public readonly api: apigateway.RestApi;
  public readonly usagePlans: Record<Tier['name'], apigateway.UsagePlan>;
  public readonly vectorIndexShard: s3.Bucket;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    this.tenantRegistry = new dynamodb.Table(this, 'TenantDetails', {
      partitionKey: { name: 'tenantId', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    markTenantRegistry(this.tenantRegistry);
    // CloudFormation generates the table's name (no tableName, as sbt-aws does): publish it for
    // readiness.yaml, e.g. TENANT_DETAILS_TABLE=$(aws cloudformation describe-stacks … OutputKey=='TenantDetailsTableName').
    new CfnOutput(this, 'TenantDetailsTableName', { value: this.tenantRegistry.tableName });

    this.tenantConfig = new dynamodb.Table(this, 'TenantConfig', {
      partitionKey: { name: 'tenantId', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'configKey', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
    });
    markConfigStore(this.tenantConfig);

    this.handler = new lambda.Function(this, 'TenantApi', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(HANDLER_CODE),
      memorySize: 256,
      timeout: Duration.seconds(10),
      environment: {
        TENANT_TABLE_NAME: this.tenantRegistry.tableName,
        TENANT_CONFIG_TABLE: this.tenantConfig.tableName,
      },
      logGroup: new logs.LogGroup(this, 'TenantApiLogs', {
        retention: logs.RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
    });
    this.tenantRegistry.grantReadData(this.handler);
    this.tenantConfig.grantReadData(this.handler);
    this.handler.metricErrors({ period: Duration.minutes(1) }).createAlarm(this, 'TenantApiErrors', {
      threshold: 1,
      evaluationPeriods: 1,
      alarmDescription: 'Tenant API function errors',
    });

    this.api = new apigateway.RestApi(this, 'Api', {
      restApiName: 'saas-tenant-api',
      deployOptions: { stageName: 'prod' },
      defaultMethodOptions: { apiKeyRequired: true },
      defaultCorsPreflightOptions: { allowOrigins: apigateway.Cors.ALL_ORIGINS },
      cloudWatchRole: false,
    });
    const integration = new apigateway.LambdaIntegration(this.handler);
    const tenant = this.api.root.addResource('tenants').addResource('{tenantId}');
    tenant.addMethod('GET', integration);
    tenant.addResource('config').addMethod('GET', integration);
    tenant.addResource('query').addMethod('POST', integration);

    this.usagePlans = Object.fromEntries(TIERS.map((tier) => [tier.name, this.addTier(tier)])) as Record<Tier['name'], apigateway.UsagePlan>;

    this.vectorIndexShard = new s3.Bucket(this, 'AcmeVectorIndex', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    });

    markPooled(this);
    Tags.of(this.vectorIndexShard).add('tenant_id', 'acme');
  }

  private addTier(tier: Tier): apigateway.UsagePlan {
    const plan = this.api.addUsagePlan(`${tier.name}Plan`, {
      name: `${tier.name}`,
      quota: { limit: tier.requestsPerDay, period: apigateway.Period.DAY },
      throttle: { rateLimit: tier.rateLimit, burstLimit: tier.burstLimit },
      apiStages: [{ api: this.api, stage: this.api.deploymentStage }],
    });
    plan.addApiKey(this.api.addApiKey(`${tier.name}Key`));
    return plan;
  }
}
