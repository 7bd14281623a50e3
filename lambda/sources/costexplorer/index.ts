/** The `costexplorer` source: AWS Cost Explorer (GetCostAndUsage), read as gate 2's AWS bill. */
import { AWS_BILL } from '../../checks/cost/ports';
import { parseMoney } from '../../checks/cost/money';
import { opens, type SourceDefinition } from '../../core/source';
import { costExplorerSourceSchema, type CostExplorerSourceConfig } from './schema';

export type { CostExplorerSourceConfig } from './schema';

export const source: SourceDefinition<CostExplorerSourceConfig> = {
  type: 'costexplorer',
  title: 'Cost Explorer',
  module: __filename,
  schema: costExplorerSourceSchema,
  permissions: (src) => [
    {
      sid: 'CostExplorer',
      actions: ['ce:GetCostAndUsage'],
      resources: ['*'],
      wildcardReason: 'ce:GetCostAndUsage has no resource-level permissions (Cost Explorer requires resource "*"); it is read-only',
    },
    ...(src.roleArn ? [{ sid: 'AssumeCostRole', actions: ['sts:AssumeRole'], resources: [src.roleArn] }] : []),
  ],
  opens: [
    opens(AWS_BILL, {
      optionsSchema: {
        properties: {
          maxCostExplorerUsd: {
            type: 'number',
            minimum: 0.01,
            maximum: 1000,
            default: 0.25,
            description:
              'Cost Explorer: the most one run may spend on requests ($0.01 each); past it the gate ERRORs pointing to the dataexport and athena sources.',
          },
        },
      },
      // The adapter and the SDK clients load when the gate opens the port.
      open: async (src, query) =>
        new (require('./bill') as typeof import('./bill')).CostExplorerBill(
          src,
          query,
          parseMoney(String((query as { maxCostExplorerUsd?: number }).maxCostExplorerUsd ?? 0.25)),
        ),
    }),
  ],
};
