/**
 * What the ReadinessHook construct and the hook handler agree on: the environment variables the
 * construct sets and the settings they carry.
 */
import { GATE_ID_PATTERN } from '../core/gate';
import type { FailureMode, RequiredGate } from './decision';

export const HOOK_ENV = {
  /** The settings below as JSON. */
  settings: 'SAAS_READINESS_HOOK',
  /** The history table (the same variable the gate functions get). */
  historyTable: 'SAAS_READINESS_HISTORY_TABLE',
} as const;

export interface HookSettings {
  suite: string;
  gates: RequiredGate[];
  /** The hook's FailureMode, so that its answers say what CloudFormation will do with them. */
  failureMode: FailureMode;
  dashboardUrl?: string;
}

/** Reads and checks the settings; throws naming the variable when the deployment is broken. */
export function hookSettingsFrom(env: NodeJS.ProcessEnv): HookSettings & { table: string } {
  const table = env[HOOK_ENV.historyTable];
  const raw = env[HOOK_ENV.settings];
  if (!table) throw new Error(`environment variable ${HOOK_ENV.historyTable} is not set (the ReadinessHook construct sets it)`);
  if (!raw) throw new Error(`environment variable ${HOOK_ENV.settings} is not set (the ReadinessHook construct sets it)`);
  let parsed: Partial<HookSettings>;
  try {
    parsed = JSON.parse(raw) as Partial<HookSettings>;
  } catch {
    throw new Error(`environment variable ${HOOK_ENV.settings} is not JSON`);
  }
  const gates = Array.isArray(parsed.gates) ? parsed.gates : [];
  const valid =
    typeof parsed.suite === 'string' &&
    parsed.suite.length > 0 &&
    (parsed.failureMode === 'FAIL' || parsed.failureMode === 'WARN') &&
    gates.length > 0 &&
    gates.every((g) => typeof g?.id === 'string' && GATE_ID_PATTERN.test(g.id) && typeof g.maxAgeHours === 'number' && g.maxAgeHours > 0);
  if (!valid) throw new Error(`environment variable ${HOOK_ENV.settings} does not name a suite, a failure mode and at least one gate with its max age`);
  return { suite: parsed.suite!, gates, failureMode: parsed.failureMode!, ...(parsed.dashboardUrl ? { dashboardUrl: parsed.dashboardUrl } : {}), table };
}
