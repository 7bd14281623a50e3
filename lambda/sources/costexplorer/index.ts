/** The `costexplorer` source: AWS Cost Explorer (GetCostAndUsage), read as gate 2's AWS bill. */
import { AWS_BILL } from '../../checks/cost/ports';
import { opens, type SourceDefinition } from '../../core/source';
import { CostExplorerBill, costExplorerSourceSchema, type CostExplorerSourceConfig } from './bill';

export type { CostExplorerSourceConfig } from './bill';

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
  opens: [opens(AWS_BILL, { open: (src, query) => new CostExplorerBill(src, query) })],
};
