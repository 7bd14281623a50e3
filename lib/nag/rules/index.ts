import type { ReadinessRule } from '../rule';
import { configAuditTrail } from './config/config-audit-trail';
import { noTenantConfigInEnv } from './config/no-tenant-config-in-env';
import { costTag } from './cost/cost-tag';
import { functionMonitored } from './monitoring/function-monitored';
import { logRetention } from './monitoring/log-retention';
import { httpApiThrottle } from './tenants/http-api-throttle';
import { methodApiKey } from './tenants/method-api-key';
import { registryDurable } from './tenants/registry-durable';
import { stageUsagePlan } from './tenants/stage-usage-plan';
import { usagePlanLimits } from './tenants/usage-plan-limits';

export {
  configAuditTrail,
  costTag,
  functionMonitored,
  httpApiThrottle,
  logRetention,
  methodApiKey,
  noTenantConfigInEnv,
  registryDurable,
  stageUsagePlan,
  usagePlanLimits,
};

/** Every rule of the pack, in gate order. */
export const READINESS_RULES: readonly ReadinessRule[] = [
  registryDurable,
  stageUsagePlan,
  usagePlanLimits,
  methodApiKey,
  httpApiThrottle,
  costTag,
  configAuditTrail,
  noTenantConfigInEnv,
  functionMonitored,
  logRetention,
];
