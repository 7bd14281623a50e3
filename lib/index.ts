/**
 * saas-readiness public API: the engine (config, runner, result model, reports), the gates, and
 * (from the CDK entry points) the constructs and the cdk-nag rule pack.
 */
export * from '../lambda/core/result';
export * from '../lambda/core/gate';
export * from '../lambda/core/errors';
export { redact, registerSecret } from '../lambda/core/redact';
export type { ReadinessConfig, SourceConfig, LoadedConfig } from '../lambda/core/config/types';
export { loadConfigFile, parseConfig, resolveConfig, configFromEnvironment, configSchema } from '../lambda/core/config/load';
export { runGates, verdictOf, type RunReport, type RunOptions, type Verdict } from '../lambda/core/runner';
export { ParameterStoreResolver, RuntimeSecretResolver, SecretsManagerResolver, type SecretResolver } from '../lambda/core/secrets';
export { normalizeTenantId } from '../lambda/core/tenant-id';
export { renderText } from '../lambda/core/report/text';
export { renderJson } from '../lambda/core/report/json';
export { renderJunit } from '../lambda/core/report/junit';
export { renderMarkdown } from '../lambda/core/report/markdown';
export { GATES } from '../lambda/gates';
export { SOURCES } from '../lambda/sources';
export { BUILT_IN } from '../lambda/registry';
export { Registry } from '../lambda/core/registry';
export { definePort, type Port } from '../lambda/core/ports';
export { opens, type SourceDefinition, type PortOpener, type SourceUse, type SourceContext } from '../lambda/core/source';
export type { Permission, ArnParts, ResourceRef } from '../lambda/core/permissions';
export { main as cli } from '../lambda/cli/main';
export { checkTenants } from '../lambda/checks/tenants/check';
export type * from '../lambda/checks/tenants/ports';
export { PostgresTenantStore } from '../lambda/sources/postgres/tenant-store';
export { DynamoDbTenantStore } from '../lambda/sources/dynamodb/tenant-store';
export { gate as monitoringGate } from '../lambda/checks/monitoring/gate';
export { checkMonitoring } from '../lambda/checks/monitoring/check';
export type { MonitoringProvider, AlertRule, SignalReading, TenantBreakdown } from '../lambda/checks/monitoring/ports';
export { DatadogMonitoring } from '../lambda/sources/datadog/monitoring';
export { NewRelicMonitoring } from '../lambda/sources/newrelic/monitoring';
export { CloudWatchMonitoring } from '../lambda/sources/cloudwatch/monitoring';
export { gate as configGate, type ConfigGateConfig } from '../lambda/checks/config/gate';
export { checkConfig } from '../lambda/checks/config/check';
export type {
  ConfigStore,
  CanaryStore,
  ConfigSnapshot,
  StoredConfig,
  AuditTrail,
  MigrationRecord,
  CanaryDocument,
  ProbeJournal,
  ProbeJournalEntry,
  EffectiveConfig,
} from '../lambda/checks/config/ports';
export { PostgresConfigStore, PostgresCanaryStore } from '../lambda/sources/postgres/config-store';
export { DynamoDbConfigStore, DynamoDbCanaryStore } from '../lambda/sources/dynamodb/config-store';
// The CDK constructs (ReadinessStack and its parts) are in `saas-readiness/cdk`, so that
// this entry point does not load aws-cdk-lib, an optional peer dependency.
export { planDeployment, type DeploymentPlan, type GatePlan, type GateBundle } from './deployment-plan';
export { METRIC_NAMESPACE, DIMENSIONS, STATUS_METRIC } from '../lambda/core/metrics';
export { gate as costGate, type CostGateConfig } from '../lambda/checks/cost/gate';
export { gate as tenantsGate, type TenantsGateConfig } from '../lambda/checks/tenants/gate';
export { checkCost, type CostCheckInput, type ProviderSetup, type CostLine } from '../lambda/checks/cost/check';
export type * from '../lambda/checks/cost/ports';
export { parseMoney, formatUsd, variancePercent, withinTolerance, type Money } from '../lambda/checks/cost/money';
export { resolveWindow, exclusiveEnd, type CostWindow, type WindowConfig } from '../lambda/checks/cost/window';
export { CostExplorerBill } from '../lambda/sources/costexplorer/bill';
export { CurBill } from '../lambda/sources/cur/bill';
export { OpenAiCostsBill } from '../lambda/sources/openai/costs';
export { PostgresCostLedger } from '../lambda/sources/postgres/ledger';
export { DynamoDbCostLedger } from '../lambda/sources/dynamodb/ledger';
export { CsvCostLedger } from '../lambda/sources/csv/ledger';
