/**
 * The registered gates, in report order. Adding a gate: write `lambda/checks/<id>/` (ports, a pure
 * check, and `gate.ts` exporting a `GateDefinition` as `gate`) and add it here.
 */
import { gate as config } from './checks/config/gate';
import { gate as cost } from './checks/cost/gate';
import { gate as monitoring } from './checks/monitoring/gate';
import { gate as tenants } from './checks/tenants/gate';
import type { GateDefinition } from './core/gate';

export const GATES: readonly GateDefinition[] = [tenants, cost, config, monitoring];
