/** The `csv` source: a CSV export of gate 2's cost ledger (local path or s3://). */
import { COST_LEDGER } from '../../checks/cost/ports';
import { readObjectPermissions } from '../../core/permissions';
import { opens, type SourceDefinition } from '../../core/source';
import { csvSourceSchema, CsvCostLedger, type CsvSourceConfig } from './ledger';

export type { CsvSourceConfig } from './ledger';

export const source: SourceDefinition<CsvSourceConfig> = {
  type: 'csv',
  title: 'CSV file',
  module: __filename,
  schema: csvSourceSchema,
  permissions: (src) => readObjectPermissions(src.path),
  opens: [opens(COST_LEDGER, { open: (src, mapping) => new CsvCostLedger(src, mapping) })],
};
