/** The `cur` source: an AWS Cost and Usage Report CSV export (local path or s3://), read as gate 2's AWS bill. */
import { AWS_BILL } from '../../checks/cost/ports';
import { ConfigError } from '../../core/errors';
import { readObjectPermissions } from '../../core/permissions';
import { opens, type SourceDefinition } from '../../core/source';
import { CUR_METRICS, curSourceSchema, type CurSourceConfig } from './schema';

export type { CurSourceConfig } from './schema';

export const source: SourceDefinition<CurSourceConfig> = {
  type: 'cur',
  title: 'Cost and Usage Report export',
  module: __filename,
  schema: curSourceSchema,
  permissions: (src) => readObjectPermissions(src.path),
  opens: [
    opens(AWS_BILL, {
      validate(_src, query, at) {
        if (!(CUR_METRICS as readonly string[]).includes(query.metric)) {
          throw new ConfigError(`${query.metric} cannot be read from a bill export (use ${CUR_METRICS.join(', ')}, or a costexplorer source)`, at('metric'));
        }
      },
      open: async (src, query) => new (require('./bill') as typeof import('./bill')).CurBill(src, query),
    }),
  ],
};
