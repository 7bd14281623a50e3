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
export { GATES } from '../lambda/catalog';
export { main as cli } from '../lambda/cli/main';
export { checkTenants } from '../lambda/checks/tenants/check';
export type * from '../lambda/checks/tenants/ports';
export { PostgresTenantStore } from '../lambda/sources/postgres/tenant-store';
export { DynamoDbTenantStore } from '../lambda/sources/dynamodb/tenant-store';
export { monitoringGate } from '../lambda/checks/monitoring/gate';
export { checkMonitoring } from '../lambda/checks/monitoring/check';
export { type MonitoringProvider, type AlertRule, type SignalReading, type TenantBreakdown } from '../lambda/checks/monitoring/ports';
export { DatadogMonitoring } from '../lambda/sources/datadog/monitoring';
export { NewRelicMonitoring } from '../lambda/sources/newrelic/monitoring';
export { CloudWatchMonitoring } from '../lambda/sources/cloudwatch/monitoring';
export { configGate, type ConfigGateConfig } from '../lambda/checks/config/gate';
export { checkConfig } from '../lambda/checks/config/check';
export type * from '../lambda/checks/config/ports';
export { PostgresConfigStore, PostgresCanaryStore } from '../lambda/sources/configstore/postgres';
export { DynamoDbConfigStore, DynamoDbCanaryStore } from '../lambda/sources/configstore/dynamodb';
// The CDK constructs (ReadinessStack and its parts) are in `saas-readiness/cdk`, so that
// this entry point does not load aws-cdk-lib, an optional peer dependency.
export { planDeployment, GATE_DEFAULTS, type DeploymentPlan, type GatePlan, type GateAccess } from './deployment-plan';
export { METRIC_NAMESPACE, DIMENSIONS, STATUS_METRICS, KEY_MEASUREMENTS } from '../lambda/core/metrics';
export { costGate, type CostGateConfig } from '../lambda/checks/cost/gate';
export { checkCost, type CostCheckInput, type ProviderSetup, type CostLine } from '../lambda/checks/cost/check';
export type * from '../lambda/checks/cost/ports';
export { parseMoney, formatUsd, variancePercent, withinTolerance, type Money } from '../lambda/checks/cost/money';
export { resolveWindow, exclusiveEnd, type CostWindow, type WindowConfig } from '../lambda/checks/cost/window';
export { CostExplorerBill } from '../lambda/sources/costexplorer/bill';
export { CurBill } from '../lambda/sources/cur/bill';
export { OpenAiCostsBill } from '../lambda/sources/openai/costs';
export { PostgresCostLedger } from '../lambda/sources/ledger/postgres';
export { DynamoDbCostLedger } from '../lambda/sources/ledger/dynamodb';
export { CsvCostLedger } from '../lambda/sources/ledger/csv';
