import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { hasAutomatedBackups, hasPointInTimeRecovery, isDeletionProtected, isDynamoTable, isRdsDatabase, survivesStackDeletion } from '../../data-stores';
import { hasRole, isRetainedOnDelete } from '../../resources';
import type { ReadinessRule } from '../../rule';

/** The tenant registry (DynamoDB table or RDS database) can be restored and is not deleted with the stack. */
export const registryDurable: ReadinessRule = {
  id: 'G1-RegistryDurable',
  gate: 'tenants',
  level: NagMessageLevel.ERROR,
  info: 'The tenant registry is not durable: it lacks point-in-time recovery (RDS: automated backups), or deletion protection / a Retain deletion policy.',
  explanation:
    'Gate 1 proves the tenants exist: unique IDs, a config record and a quota each. The registry is the only source of those records; without point-in-time recovery a bad write cannot be undone, and without deletion protection a stack deletion or replacement drops every tenant.',
  fix: 'DynamoDB: set pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true } and deletionProtection: true (or keep RemovalPolicy.RETAIN). RDS: keep backupRetention above 0 days and set deletionProtection: true or RemovalPolicy.SNAPSHOT/RETAIN.',
  check(node, context) {
    if (!(isDynamoTable(node) || isRdsDatabase(node)) || !hasRole(node, 'tenant-registry', context.settings)) {
      return NagRuleCompliance.NOT_APPLICABLE;
    }
    const durable = isDynamoTable(node)
      ? hasPointInTimeRecovery(node) && (isDeletionProtected(node) || isRetainedOnDelete(node))
      : hasAutomatedBackups(node) && survivesStackDeletion(node);
    return durable ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
