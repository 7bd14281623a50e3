import { Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as rds from 'aws-cdk-lib/aws-rds';
import type { Construct } from 'constructs';
import { markConfigStore } from '../../lib/nag';
import { newStack, pathsFor } from './support';

const CONFIG_AUDIT_TRAIL = 'SaaSR-G3-ConfigAuditTrail';
const NO_TENANT_CONFIG_IN_ENV = 'SaaSR-G3-NoTenantConfigInEnv';

const key = { name: 'tenantId', type: dynamodb.AttributeType.STRING };
const pitr = { pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true } };
const stream = dynamodb.StreamViewType.NEW_AND_OLD_IMAGES;

function configStore(scope: Construct, id: string, props: Partial<dynamodb.TableProps> = {}): dynamodb.Table {
  const table = new dynamodb.Table(scope, id, { partitionKey: key, ...props });
  markConfigStore(table);
  return table;
}

function fnWithEnv(scope: Construct, id: string, environment: Record<string, string>): lambda.Function {
  return new lambda.Function(scope, id, {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({})'),
    environment,
  });
}

describe('SaaSR-G3-ConfigAuditTrail', () => {
  test('a DynamoDB config store with PITR and a stream passes (Table and TableV2)', () => {
    const stack = newStack();
    configStore(stack, 'Config', { ...pitr, stream });
    markConfigStore(new dynamodb.TableV2(stack, 'ConfigV2', { partitionKey: key, ...pitr, dynamoStream: stream }));
    expect(pathsFor(stack, CONFIG_AUDIT_TRAIL)).toEqual([]);
  });

  test('a config store without a stream or without PITR fails at its resource', () => {
    const stack = newStack();
    configStore(stack, 'NoStream', pitr);
    configStore(stack, 'NoPitr', { stream });
    markConfigStore(new dynamodb.TableV2(stack, 'NoStreamV2', { partitionKey: key, ...pitr }));
    expect(pathsFor(stack, CONFIG_AUDIT_TRAIL)).toEqual(['S/NoPitr/Resource', 'S/NoStream/Resource', 'S/NoStreamV2/Resource']);
  });

  test('only marked or configured tables are config stores', () => {
    const stack = newStack();
    new dynamodb.Table(stack, 'Sessions', { partitionKey: key });
    expect(pathsFor(stack, CONFIG_AUDIT_TRAIL)).toEqual([]);
    expect(pathsFor(stack, CONFIG_AUDIT_TRAIL, { configStorePaths: ['S/Sessions'] })).toEqual(['S/Sessions/Resource']);
  });

  test('an RDS config store needs automated backups', () => {
    const stack = newStack();
    const withBackups = new rds.CfnDBCluster(stack, 'WithBackups', { engine: 'aurora-postgresql', backupRetentionPeriod: 7 });
    const defaults = new rds.CfnDBCluster(stack, 'Defaults', { engine: 'aurora-postgresql' });
    const withoutBackups = new rds.CfnDBInstance(stack, 'WithoutBackups', {
      engine: 'postgres',
      dbInstanceClass: 'db.t4g.micro',
      backupRetentionPeriod: 0,
    });
    [withBackups, defaults, withoutBackups].forEach(markConfigStore);
    expect(pathsFor(stack, CONFIG_AUDIT_TRAIL)).toEqual(['S/WithoutBackups']);
  });

  test('an acknowledgement silences the store it is applied to only', () => {
    const stack = newStack();
    const acknowledged = configStore(stack, 'FeatureFlags');
    configStore(stack, 'TenantConfig');
    Validations.of(acknowledged).acknowledge({ id: CONFIG_AUDIT_TRAIL, reason: 'Flags are audited in the flag service.' });
    expect(pathsFor(stack, CONFIG_AUDIT_TRAIL)).toEqual(['S/TenantConfig/Resource']);
  });
});

describe('SaaSR-G3-NoTenantConfigInEnv', () => {
  test('pointers to the config store and ordinary settings pass', () => {
    const stack = newStack();
    fnWithEnv(stack, 'Fn', { TENANT_CONFIG_TABLE: 'cfg', TENANT_TABLE_NAME: 'tenants', LOG_LEVEL: 'info' });
    expect(pathsFor(stack, NO_TENANT_CONFIG_IN_ENV)).toEqual([]);
  });

  test('each variable holding tenant config is its own finding', () => {
    const stack = newStack();
    fnWithEnv(stack, 'Fn', { TENANT_ACME_QUOTA: '1000', TENANT_GLOBEX_TIER: 'pro', TENANT_CONFIGS: '{}', LOG_LEVEL: 'info' });
    expect(pathsFor(stack, `${NO_TENANT_CONFIG_IN_ENV}[TENANT_ACME_QUOTA]`)).toEqual(['S/Fn/Resource']);
    expect(pathsFor(stack, `${NO_TENANT_CONFIG_IN_ENV}[TENANT_GLOBEX_TIER]`)).toEqual(['S/Fn/Resource']);
    expect(pathsFor(stack, `${NO_TENANT_CONFIG_IN_ENV}[TENANT_CONFIGS]`)).toEqual(['S/Fn/Resource']);
    expect(pathsFor(stack, `${NO_TENANT_CONFIG_IN_ENV}[LOG_LEVEL]`)).toEqual([]);
  });

  test('the patterns are configurable', () => {
    const stack = newStack();
    fnWithEnv(stack, 'Fn', { ACME_RATE_LIMIT: '10', TENANT_ACME_QUOTA: '1000' });
    const props = { tenantConfigEnvPatterns: [/^[A-Z]+_RATE_LIMIT$/] };
    expect(pathsFor(stack, `${NO_TENANT_CONFIG_IN_ENV}[ACME_RATE_LIMIT]`, props)).toEqual(['S/Fn/Resource']);
    expect(pathsFor(stack, `${NO_TENANT_CONFIG_IN_ENV}[TENANT_ACME_QUOTA]`, props)).toEqual([]);
  });

  test('acknowledging one variable leaves the others and other functions reported', () => {
    const stack = newStack();
    const legacy = fnWithEnv(stack, 'Legacy', { TENANT_ACME_QUOTA: '1000', TENANT_ACME_TIER: 'pro' });
    fnWithEnv(stack, 'Other', { TENANT_ACME_QUOTA: '1000' });
    Validations.of(legacy).acknowledge({
      id: `${NO_TENANT_CONFIG_IN_ENV}[TENANT_ACME_QUOTA]`,
      reason: 'Migrating to the config table in TICKET-42.',
    });
    expect(pathsFor(stack, `${NO_TENANT_CONFIG_IN_ENV}[TENANT_ACME_QUOTA]`)).toEqual(['S/Other/Resource']);
    expect(pathsFor(stack, `${NO_TENANT_CONFIG_IN_ENV}[TENANT_ACME_TIER]`)).toEqual(['S/Legacy/Resource']);
  });
});
