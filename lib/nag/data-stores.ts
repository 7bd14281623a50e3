import { CfnDeletionPolicy, type CfnResource } from 'aws-cdk-lib';
import { CfnGlobalTable, CfnTable } from 'aws-cdk-lib/aws-dynamodb';
import { CfnDBCluster, CfnDBInstance } from 'aws-cdk-lib/aws-rds';
import { isRetainedOnDelete, isTrue, resolved } from './resources';

/** Durability and audit-trail facts about DynamoDB tables and RDS databases. */

export type DynamoTable = CfnTable | CfnGlobalTable;
export type RdsDatabase = CfnDBCluster | CfnDBInstance;

export function isDynamoTable(node: CfnResource): node is DynamoTable {
  return node instanceof CfnTable || node instanceof CfnGlobalTable;
}

export function isRdsDatabase(node: CfnResource): node is RdsDatabase {
  return node instanceof CfnDBCluster || node instanceof CfnDBInstance;
}

/** Global tables configure recovery and protection per replica: every replica must have it. */
// biome-ignore lint/suspicious/noExplicitAny: CloudFormation property values are untyped once tokens are resolved
function everyReplica(table: CfnGlobalTable, property: (replica: any) => unknown): boolean {
  const replicas: unknown[] = resolved(table, table.replicas) ?? [];
  return replicas.length > 0 && replicas.every((replica) => property(replica) === true);
}

export function hasPointInTimeRecovery(table: DynamoTable): boolean {
  if (table instanceof CfnGlobalTable) {
    return everyReplica(table, (r) => r?.pointInTimeRecoverySpecification?.pointInTimeRecoveryEnabled);
  }
  return resolved(table, table.pointInTimeRecoverySpecification)?.pointInTimeRecoveryEnabled === true;
}

export function isDeletionProtected(table: DynamoTable): boolean {
  if (table instanceof CfnGlobalTable) return everyReplica(table, (r) => r?.deletionProtectionEnabled);
  return isTrue(table, table.deletionProtectionEnabled);
}

export function hasStream(table: DynamoTable): boolean {
  return typeof resolved(table, table.streamSpecification)?.streamViewType === 'string';
}

/** Automated backups are on unless the retention period is 0 (CloudFormation's default is 1 day). */
export function hasAutomatedBackups(database: RdsDatabase): boolean {
  const days = resolved(database, database.backupRetentionPeriod);
  return days === undefined || (typeof days === 'number' && days > 0);
}

/** Deletion protection, or a deletion policy that keeps the data (Retain, or a final Snapshot). */
export function survivesStackDeletion(database: RdsDatabase): boolean {
  return isTrue(database, database.deletionProtection) || isRetainedOnDelete(database) || database.cfnOptions.deletionPolicy === CfnDeletionPolicy.SNAPSHOT;
}
