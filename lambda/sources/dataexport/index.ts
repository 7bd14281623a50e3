/** The `dataexport` source: an AWS bill export as AWS delivers it to S3 (Data Exports CUR 2.0 or FOCUS, or legacy CUR), read through its manifests as gate 2's AWS bill. */
import { AWS_BILL } from '../../checks/cost/ports';
import { ConfigError } from '../../core/errors';
import { prefixPermissions } from '../../core/permissions';
import { opens, type SourceDefinition } from '../../core/source';
import { CUR_METRICS } from '../cur/schema';
import { dataExportSourceSchema, type DataExportSourceConfig } from './schema';

export type { DataExportSourceConfig } from './schema';

export const source: SourceDefinition<DataExportSourceConfig> = {
  type: 'dataexport',
  title: 'AWS Data Exports bill export',
  module: __filename,
  schema: dataExportSourceSchema,
  permissions: (src) =>
    src.bucket
      ? prefixPermissions(
          'ReadExport',
          src.bucket,
          `${src.prefix ? `${src.prefix}/` : ''}${src.exportName}/`,
          ['s3:GetObject'],
          `A bill export is many objects per billing period, named by AWS at each refresh and listed by its manifests; read-only, under the export's prefix only.`,
        )
      : [],
  opens: [
    opens(AWS_BILL, {
      validate(_src, query, at) {
        if (!(CUR_METRICS as readonly string[]).includes(query.metric)) {
          throw new ConfigError(`${query.metric} cannot be read from a bill export (use ${CUR_METRICS.join(', ')}, or a costexplorer source)`, at('metric'));
        }
      },
      open: async (src, query) => new (require('./bill') as typeof import('./bill')).DataExportBill(src, query),
    }),
  ],
};
