import type { JsonSchema } from '../core/config/json-schema';
import { postgresSourceSchema } from './postgres/connection';
import { dynamoDbSourceSchema } from './dynamodb/tenant-store';
import { datadogSourceSchema } from './datadog/monitoring';
import { newRelicSourceSchema } from './newrelic/monitoring';
import { cloudWatchSourceSchema } from './cloudwatch/monitoring';
import { costExplorerSourceSchema } from './costexplorer/bill';
import { curSourceSchema } from './cur/bill';
import { dataExportSourceSchema } from './dataexport/schema';
import { athenaSourceSchema } from './athena/schema';
import { openAiSourceSchema } from './openai/costs';
import { csvSourceSchema } from './ledger/csv';

/** Source types usable under `sources:`, keyed by `type`. Register a new adapter's schema here. */
export const SOURCE_SCHEMAS: Record<string, JsonSchema> = {
  postgres: postgresSourceSchema,
  dynamodb: dynamoDbSourceSchema,
  datadog: datadogSourceSchema,
  newrelic: newRelicSourceSchema,
  cloudwatch: cloudWatchSourceSchema,
  costexplorer: costExplorerSourceSchema,
  cur: curSourceSchema,
  dataexport: dataExportSourceSchema,
  athena: athenaSourceSchema,
  openai: openAiSourceSchema,
  csv: csvSourceSchema,
};
