import type { ReadinessRule } from './rule';
import type { NagPackProps } from 'cdk-nag';
import { DEFAULT_COST_TAG_KEY } from './markers';

/**
 * CloudFormation types that gate 2 expects to carry the cost-allocation tag: everything that
 * bills by time, storage, requests or throughput in a typical SaaS stack.
 * IAM, permissions, alarms and other free or negligible resources are not on the list.
 */
export const DEFAULT_COST_BEARING_TYPES: readonly string[] = [
  'AWS::Lambda::Function',
  'AWS::DynamoDB::Table',
  'AWS::DynamoDB::GlobalTable',
  'AWS::S3::Bucket',
  'AWS::SQS::Queue',
  'AWS::SNS::Topic',
  'AWS::Kinesis::Stream',
  'AWS::RDS::DBCluster',
  'AWS::RDS::DBInstance',
  'AWS::ECS::Service',
  'AWS::EC2::Instance',
  'AWS::EC2::NatGateway',
  'AWS::ElastiCache::CacheCluster',
  'AWS::ElastiCache::ReplicationGroup',
  'AWS::OpenSearchService::Domain',
  'AWS::EFS::FileSystem',
  'AWS::EKS::Cluster',
  'AWS::StepFunctions::StateMachine',
  'AWS::ApiGateway::Stage',
  'AWS::ApiGatewayV2::Api',
  'AWS::Logs::LogGroup',
];

/**
 * Environment variable names that mean tenant-specific configuration was baked into a
 * function: per-tenant keys such as `TENANT_ACME_QUOTA`, or one blob for all tenants such
 * as `TENANT_CONFIGS`. Names of the config store itself (`TENANT_CONFIG_TABLE`) do not match.
 */
export const DEFAULT_TENANT_CONFIG_ENV_PATTERNS: readonly RegExp[] = [
  /^TENANT_[A-Z0-9_]+_(CONFIG|QUOTA|TIER|LIMITS?|PLAN|SETTINGS)$/,
  /^TENANTS?_(CONFIGS?|QUOTAS|TIERS|LIMITS|PLANS|SETTINGS)$/,
];

/** Lambda layer ARNs of the Datadog and New Relic instrumentation (extension or language layer). */
export const DEFAULT_INSTRUMENTATION_LAYER_PATTERNS: readonly RegExp[] = [
  /:layer:Datadog-(Extension|Node|Python|Ruby|Java|Dotnet)/,
  /:layer:NewRelic(LambdaExtension|NodeJS|Python|Java|Ruby|Dotnet)/,
];

/** Options of the `SaaSReadinessChecks` pack. Every option has a default. */
export interface SaaSReadinessProps extends NagPackProps {
  /**
   * Cost-allocation tag key that gate 2 attributes costs by. Any non-empty value counts: a
   * tenant id on siloed resources, the shared value (see `markPooled`) on pooled ones.
   * @default 'tenant_id'
   */
  readonly costTagKey?: string;
  /** CloudFormation types that must carry the cost-allocation tag. @default DEFAULT_COST_BEARING_TYPES */
  readonly costBearingTypes?: readonly string[];
  /**
   * Construct paths of tenant registries, in addition to `markTenantRegistry()`.
   * A path names the resource or any construct above it, e.g. `MyStack/Tenants`.
   */
  readonly tenantRegistryPaths?: readonly string[];
  /** Construct paths of tenant config stores, in addition to `markConfigStore()`. */
  readonly configStorePaths?: readonly string[];
  /** Lambda environment variable names that hold tenant config. @default DEFAULT_TENANT_CONFIG_ENV_PATTERNS */
  readonly tenantConfigEnvPatterns?: readonly RegExp[];
  /** Layer ARNs that count as monitoring instrumentation. @default DEFAULT_INSTRUMENTATION_LAYER_PATTERNS */
  readonly instrumentationLayerPatterns?: readonly RegExp[];
  /** The registered gates, whose ids a rule may name. @default the built-in gates */
  readonly gates?: readonly { readonly id: string }[];
  /** Rules composed into the pack besides its own (one rule per file, each naming its gate). @default none */
  readonly rules?: readonly ReadinessRule[];
}

/** `SaaSReadinessProps` with every default filled in: what the rules read. */
export interface ReadinessSettings {
  readonly costTagKey: string;
  readonly costBearingTypes: ReadonlySet<string>;
  readonly tenantRegistryPaths: readonly string[];
  readonly configStorePaths: readonly string[];
  readonly tenantConfigEnvPatterns: readonly RegExp[];
  readonly instrumentationLayerPatterns: readonly RegExp[];
}

export function resolveSettings(props: SaaSReadinessProps = {}): ReadinessSettings {
  return {
    costTagKey: props.costTagKey ?? DEFAULT_COST_TAG_KEY,
    costBearingTypes: new Set(props.costBearingTypes ?? DEFAULT_COST_BEARING_TYPES),
    tenantRegistryPaths: props.tenantRegistryPaths ?? [],
    configStorePaths: props.configStorePaths ?? [],
    tenantConfigEnvPatterns: props.tenantConfigEnvPatterns ?? DEFAULT_TENANT_CONFIG_ENV_PATTERNS,
    instrumentationLayerPatterns: props.instrumentationLayerPatterns ?? DEFAULT_INSTRUMENTATION_LAYER_PATTERNS,
  };
}
