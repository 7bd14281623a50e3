import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { hasAutomatedBackups, hasPointInTimeRecovery, hasStream, isDynamoTable, isRdsDatabase } from '../../data-stores';
import { hasRole } from '../../resources';
import type { ReadinessRule } from '../../rule';

/** A tenant config store keeps an audit trail: DynamoDB with PITR and a stream, or RDS with backups. */
export const configAuditTrail: ReadinessRule = {
  id: 'G3-ConfigAuditTrail',
  gate: 'config',
  level: NagMessageLevel.ERROR,
  info: 'The tenant config store keeps no audit trail: a DynamoDB store needs point-in-time recovery and a stream, an RDS store automated backups.',
  explanation:
    "Gate 3 requires that tenant configs change without a deployment and that the config schema stays stable. Without a change stream nobody can see who changed which tenant's config when, and without point-in-time recovery a bad change cannot be rolled back.",
  fix: 'DynamoDB: set pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true } and stream: StreamViewType.NEW_AND_OLD_IMAGES (TableV2: dynamoStream). RDS: keep backupRetention above 0 days.',
  check(node, context) {
    if (!(isDynamoTable(node) || isRdsDatabase(node)) || !hasRole(node, 'config-store', context.settings)) {
      return NagRuleCompliance.NOT_APPLICABLE;
    }
    const audited = isDynamoTable(node) ? hasPointInTimeRecovery(node) && hasStream(node) : hasAutomatedBackups(node);
    return audited ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
