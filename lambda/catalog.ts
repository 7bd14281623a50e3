import type { GateDefinition } from './core/gate';
import { tenantsGate } from './checks/tenants/gate';
import { configGate } from './checks/config/gate';
import { monitoringGate } from './checks/monitoring/gate';
import { costGate } from './checks/cost/gate';

export { SOURCE_SCHEMAS } from './sources/index';

/** The registered gates, in report order. Adding a gate: write lambda/checks/<id>/ and add it here. */
export const GATES: readonly GateDefinition<any>[] = [tenantsGate, costGate, configGate, monitoringGate];
