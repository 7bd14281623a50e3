/** The `csv` source: a CSV export of gate 2's cost ledger (local path or s3://). */
import { COST_LEDGER } from '../../checks/cost/ports';
import { readObjectPermissions } from '../../core/permissions';
import { opens, type SourceDefinition } from '../../core/source';
import { csvSourceSchema, type CsvSourceConfig } from './schema';

export type { CsvSourceConfig } from './schema';

export const source: SourceDefinition<CsvSourceConfig> = {
  type: 'csv',
  title: 'CSV file',
  module: __filename,
  schema: csvSourceSchema,
  permissions: (src) => readObjectPermissions(src.path),
  opens: [opens(COST_LEDGER, { open: async (src, mapping) => new (require('./ledger') as typeof import('./ledger')).CsvCostLedger(src, mapping) })],
};
