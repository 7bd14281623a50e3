/** The `athena` source: one aggregate query in Amazon Athena over a CUR 2.0 or FOCUS export table, read as gate 2's AWS bill. */
import { AWS_BILL } from '../../checks/cost/ports';
import { ConfigError } from '../../core/errors';
import { prefixPermissions, bucketArn, type Permission } from '../../core/permissions';
import { opens, type SourceDefinition } from '../../core/source';
import { costColumn } from './query';
import { athenaSourceSchema, type AthenaSourceConfig } from './schema';

export type { AthenaSourceConfig } from './schema';

const location = (value: string | undefined) => (value ? /^s3:\/\/([^/]+)\/?(.*)$/.exec(value) : null);

/** Athena's query actions on the workgroup, Glue reads on the table, and S3 on the table's data and the result location. */
function athenaPermissions(src: AthenaSourceConfig): Permission[] {
  const region = src.region ? { region: src.region } : {};
  const format = src.format ?? 'cur2';
  const database = src.database ?? 'cid_data_export';
  const table = src.table ?? format;
  const permissions: Permission[] = [
    {
      sid: 'AthenaQuery',
      actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:StopQueryExecution'],
      resources: [{ service: 'athena', resource: 'workgroup', resourceName: src.workGroup ?? 'primary', ...region }],
    },
    {
      sid: 'AthenaTable',
      actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartition', 'glue:GetPartitions'],
      resources: [
        { service: 'glue', resource: 'catalog', ...region },
        { service: 'glue', resource: 'database', resourceName: database, ...region },
        { service: 'glue', resource: 'table', resourceName: `${database}/${table}`, ...region },
      ],
    },
  ];
  const data = location(src.dataLocation);
  if (data)
    permissions.push(
      ...prefixPermissions(
        'AthenaData',
        data[1],
        data[2],
        ['s3:GetObject'],
        "Athena reads the export table's files with the caller's credentials; read-only, under the table's location only.",
      ),
    );
  const out = location(src.outputLocation);
  if (out) {
    permissions.push({ sid: 'AthenaResultsBucket', actions: ['s3:GetBucketLocation'], resources: [bucketArn(out[1])] });
    permissions.push(
      ...prefixPermissions(
        'AthenaResults',
        out[1],
        out[2],
        ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
        `Athena writes each query's results under the result location with a query ID in the key, and GetQueryResults reads them back; nothing outside that prefix.`,
      ),
    );
  }
  return permissions;
}

export const source: SourceDefinition<AthenaSourceConfig> = {
  type: 'athena',
  title: 'Amazon Athena',
  module: __filename,
  schema: athenaSourceSchema,
  permissions: athenaPermissions,
  deployWarnings: (src, name) =>
    !src.dataLocation || !src.outputLocation
      ? [
          `sources.${name}: an athena source without ${!src.dataLocation ? 'dataLocation' : 'outputLocation'} gets no S3 grant for ${!src.dataLocation ? "the table's data (Athena reads it with the function's credentials)" : "the workgroup's result location"}; add it, or grant that access to the function yourself`,
        ]
      : [],
  opens: [
    opens(AWS_BILL, {
      validate(src, query, at) {
        try {
          costColumn(src.format ?? 'cur2', query.metric);
        } catch (err) {
          throw new ConfigError((err as Error).message, at('metric'));
        }
      },
      open: async (src, query, ctx) => new (require('./bill') as typeof import('./bill')).AthenaBill(src, query, ctx.deadline),
    }),
  ],
};
