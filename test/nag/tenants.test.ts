import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as rds from 'aws-cdk-lib/aws-rds';
import type { Construct } from 'constructs';
import { markTenantRegistry } from '../../lib/nag';
import { newStack, pathsFor } from './support';

const REGISTRY_DURABLE = 'SaaSR-G1-RegistryDurable';
const STAGE_USAGE_PLAN = 'SaaSR-G1-StageUsagePlan';
const USAGE_PLAN_LIMITS = 'SaaSR-G1-UsagePlanLimits';
const METHOD_API_KEY = 'SaaSR-G1-MethodApiKey';
const HTTP_API_THROTTLE = 'SaaSR-G1-HttpApiThrottle';

const key = { name: 'tenantId', type: dynamodb.AttributeType.STRING };

function registry(scope: Construct, id: string, props: Partial<dynamodb.TableProps> = {}): dynamodb.Table {
  const table = new dynamodb.Table(scope, id, { partitionKey: key, ...props });
  markTenantRegistry(table);
  return table;
}

function fn(scope: Construct, id = 'Fn'): lambda.Function {
  return new lambda.Function(scope, id, {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({})'),
  });
}

/** A REST API with one GET method that requires an API key, and no usage plan. */
function restApi(scope: Construct, id = 'Api'): apigateway.RestApi {
  const api = new apigateway.RestApi(scope, id, { cloudWatchRole: false });
  api.root.addMethod('GET', new apigateway.MockIntegration(), { apiKeyRequired: true });
  return api;
}

const limits = { quota: { limit: 1000, period: apigateway.Period.DAY }, throttle: { rateLimit: 10, burstLimit: 20 } };

describe('SaaSR-G1-RegistryDurable', () => {
  const pitr = { pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true } };

  test('a registry with PITR and deletion protection (or Retain) passes', () => {
    const stack = newStack();
    registry(stack, 'Protected', { ...pitr, deletionProtection: true, removalPolicy: RemovalPolicy.DESTROY });
    registry(stack, 'Retained', { ...pitr, removalPolicy: RemovalPolicy.RETAIN });
    expect(pathsFor(stack, REGISTRY_DURABLE)).toEqual([]);
  });

  test('a registry without PITR, or deletable without protection, fails at its resource', () => {
    const stack = newStack();
    registry(stack, 'NoPitr', { deletionProtection: true });
    registry(stack, 'Deletable', { ...pitr, removalPolicy: RemovalPolicy.DESTROY });
    expect(pathsFor(stack, REGISTRY_DURABLE)).toEqual(['S/Deletable/Resource', 'S/NoPitr/Resource']);
  });

  test('only marked or configured tables are registries', () => {
    const stack = newStack();
    new dynamodb.Table(stack, 'Cache', { partitionKey: key, removalPolicy: RemovalPolicy.DESTROY });
    new dynamodb.Table(stack, 'Tenants', { partitionKey: key });
    expect(pathsFor(stack, REGISTRY_DURABLE)).toEqual([]);
    expect(pathsFor(stack, REGISTRY_DURABLE, { tenantRegistryPaths: ['S/Tenants'] })).toEqual(['S/Tenants/Resource']);
  });

  test('TableV2 registries need PITR on every replica', () => {
    const stack = newStack();
    const good = new dynamodb.TableV2(stack, 'Good', { partitionKey: key, ...pitr, deletionProtection: true });
    const bad = new dynamodb.TableV2(stack, 'Bad', { partitionKey: key, removalPolicy: RemovalPolicy.DESTROY });
    markTenantRegistry(good);
    markTenantRegistry(bad);
    expect(pathsFor(stack, REGISTRY_DURABLE)).toEqual(['S/Bad/Resource']);
  });

  test('RDS registries need backups and deletion protection or a snapshot/retain policy', () => {
    const stack = newStack();
    const good = new rds.CfnDBCluster(stack, 'Good', { engine: 'aurora-postgresql', backupRetentionPeriod: 7 });
    good.cfnOptions.deletionPolicy = undefined;
    good.applyRemovalPolicy(RemovalPolicy.SNAPSHOT);
    const noBackups = new rds.CfnDBCluster(stack, 'NoBackups', {
      engine: 'aurora-postgresql',
      backupRetentionPeriod: 0,
      deletionProtection: true,
    });
    const deletable = new rds.CfnDBInstance(stack, 'Deletable', { engine: 'postgres', dbInstanceClass: 'db.t4g.micro' });
    deletable.applyRemovalPolicy(RemovalPolicy.DESTROY);
    [good, noBackups, deletable].forEach(markTenantRegistry);
    expect(pathsFor(stack, REGISTRY_DURABLE)).toEqual(['S/Deletable', 'S/NoBackups']);
  });

  test('an acknowledgement silences the finding only where applied', () => {
    const stack = newStack();
    const acknowledged = registry(stack, 'Staging', { removalPolicy: RemovalPolicy.DESTROY });
    registry(stack, 'Production', { removalPolicy: RemovalPolicy.DESTROY });
    Validations.of(acknowledged).acknowledge({ id: REGISTRY_DURABLE, reason: 'Staging registry, rebuilt from seed data.' });
    expect(pathsFor(stack, REGISTRY_DURABLE)).toEqual(['S/Production/Resource']);
  });
});

describe('SaaSR-G1-StageUsagePlan', () => {
  test('a stage in a usage plan passes', () => {
    const stack = newStack();
    const api = restApi(stack);
    api.addUsagePlan('Plan', { ...limits, apiStages: [{ api, stage: api.deploymentStage }] });
    expect(pathsFor(stack, STAGE_USAGE_PLAN)).toEqual([]);
  });

  test('a stage outside every usage plan fails at the stage, also when a plan covers another API', () => {
    const stack = newStack();
    const covered = restApi(stack, 'Covered');
    restApi(stack, 'Uncovered');
    covered.addUsagePlan('Plan', { ...limits, apiStages: [{ api: covered, stage: covered.deploymentStage }] });
    expect(pathsFor(stack, STAGE_USAGE_PLAN)).toEqual(['S/Uncovered/DeploymentStage.prod/Resource']);
  });

  test('L1: a plan naming the stage literally covers it; a Deployment that creates a stage is checked too', () => {
    const stack = newStack();
    const api = new apigateway.CfnRestApi(stack, 'Api', { name: 'api' });
    new apigateway.CfnStage(stack, 'Prod', { restApiId: api.ref, stageName: 'prod', deploymentId: 'd' });
    new apigateway.CfnDeployment(stack, 'Beta', { restApiId: api.ref, stageName: 'beta' });
    new apigateway.CfnUsagePlan(stack, 'Plan', { apiStages: [{ apiId: api.ref, stage: 'prod' }] });
    expect(pathsFor(stack, STAGE_USAGE_PLAN)).toEqual(['S/Beta']);
  });

  test('an acknowledgement on the API silences its stage only', () => {
    const stack = newStack();
    const internal = restApi(stack, 'Internal');
    restApi(stack, 'Public');
    Validations.of(internal).acknowledge({ id: STAGE_USAGE_PLAN, reason: 'Internal admin API, IAM-authorized.' });
    expect(pathsFor(stack, STAGE_USAGE_PLAN)).toEqual(['S/Public/DeploymentStage.prod/Resource']);
  });
});

describe('SaaSR-G1-UsagePlanLimits', () => {
  test('a plan with quota and throttling passes; per-method throttling on its stage also counts', () => {
    const stack = newStack();
    const api = restApi(stack);
    const [getRoot] = api.methods;
    api.addUsagePlan('Plan', { ...limits, apiStages: [{ api, stage: api.deploymentStage }] });
    api.addUsagePlan('PerMethod', {
      quota: limits.quota,
      apiStages: [{ api, stage: api.deploymentStage, throttle: [{ method: getRoot, throttle: limits.throttle }] }],
    });
    expect(pathsFor(stack, USAGE_PLAN_LIMITS)).toEqual([]);
  });

  test('a plan without a quota or without throttling fails at the plan', () => {
    const stack = newStack();
    const api = restApi(stack);
    const apiStages = [{ api, stage: api.deploymentStage }];
    api.addUsagePlan('NoQuota', { throttle: limits.throttle, apiStages });
    api.addUsagePlan('NoThrottle', { quota: limits.quota, apiStages });
    expect(pathsFor(stack, USAGE_PLAN_LIMITS)).toEqual(['S/Api/NoQuota/Resource', 'S/Api/NoThrottle/Resource']);
  });

  test('an acknowledgement silences the plan it is applied to only', () => {
    const stack = newStack();
    const api = restApi(stack);
    const internal = api.addUsagePlan('Internal', {});
    api.addUsagePlan('Free', {});
    Validations.of(internal).acknowledge({ id: USAGE_PLAN_LIMITS, reason: 'Our own load tests, unlimited by design.' });
    expect(pathsFor(stack, USAGE_PLAN_LIMITS)).toEqual(['S/Api/Free/Resource']);
  });
});

describe('SaaSR-G1-MethodApiKey', () => {
  test('methods requiring an API key pass; CORS preflight (OPTIONS) is exempt', () => {
    const stack = newStack();
    const api = new apigateway.RestApi(stack, 'Api', {
      cloudWatchRole: false,
      defaultMethodOptions: { apiKeyRequired: true },
      defaultCorsPreflightOptions: { allowOrigins: apigateway.Cors.ALL_ORIGINS },
    });
    api.root.addResource('tenants').addMethod('GET', new apigateway.MockIntegration());
    expect(pathsFor(stack, METHOD_API_KEY)).toEqual([]);
  });

  test('a method without an API key fails at the method; an acknowledgement silences only that method', () => {
    const stack = newStack();
    const api = new apigateway.RestApi(stack, 'Api', { cloudWatchRole: false });
    const health = api.root.addResource('health').addMethod('GET', new apigateway.MockIntegration());
    api.root.addResource('tenants').addMethod('POST', new apigateway.MockIntegration());
    expect(pathsFor(stack, METHOD_API_KEY)).toEqual(['S/Api/Default/health/GET/Resource', 'S/Api/Default/tenants/POST/Resource']);
    Validations.of(health).acknowledge({ id: METHOD_API_KEY, reason: 'Health check for the load balancer.' });
    expect(pathsFor(stack, METHOD_API_KEY)).toEqual(['S/Api/Default/tenants/POST/Resource']);
  });
});

describe('SaaSR-G1-HttpApiThrottle', () => {
  const throttle = { rateLimit: 10, burstLimit: 20 };

  test('a stage with default route throttling, or settings for every route, passes', () => {
    const stack = newStack();
    const httpApi = new apigwv2.HttpApi(stack, 'Http', { createDefaultStage: false });
    new apigwv2.HttpStage(stack, 'Prod', { httpApi, stageName: 'prod', throttle });
    const api = new apigwv2.CfnApi(stack, 'L1Api', { name: 'l1', protocolType: 'HTTP' });
    new apigwv2.CfnRoute(stack, 'Route', { apiId: api.ref, routeKey: 'GET /tenants' });
    new apigwv2.CfnStage(stack, 'L1Stage', {
      apiId: api.ref,
      stageName: 'prod',
      routeSettings: { 'GET /tenants': { throttlingRateLimit: 10, throttlingBurstLimit: 20 } },
    });
    expect(pathsFor(stack, HTTP_API_THROTTLE)).toEqual([]);
  });

  test('a stage without throttling, or with routes left out, fails at the stage', () => {
    const stack = newStack();
    const httpApi = new apigwv2.HttpApi(stack, 'Http');
    httpApi.addRoutes({ path: '/tenants', integration: new HttpLambdaIntegration('Tenants', fn(stack)) });
    const api = new apigwv2.CfnApi(stack, 'L1Api', { name: 'l1', protocolType: 'HTTP' });
    new apigwv2.CfnRoute(stack, 'Listed', { apiId: api.ref, routeKey: 'GET /tenants' });
    new apigwv2.CfnRoute(stack, 'Forgotten', { apiId: api.ref, routeKey: 'POST /tenants' });
    new apigwv2.CfnStage(stack, 'L1Stage', {
      apiId: api.ref,
      stageName: 'prod',
      routeSettings: { 'GET /tenants': { throttlingRateLimit: 10, throttlingBurstLimit: 20 } },
    });
    expect(pathsFor(stack, HTTP_API_THROTTLE)).toEqual(['S/Http/DefaultStage/Resource', 'S/L1Stage']);
  });

  test('an acknowledgement silences the stage it is applied to only', () => {
    const stack = newStack();
    const internal = new apigwv2.HttpApi(stack, 'Internal');
    new apigwv2.HttpApi(stack, 'Public');
    Validations.of(internal).acknowledge({ id: HTTP_API_THROTTLE, reason: 'VPC-internal API.' });
    expect(pathsFor(stack, HTTP_API_THROTTLE)).toEqual(['S/Public/DefaultStage/Resource']);
  });
});
