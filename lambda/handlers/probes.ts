import type { GateCommon } from '../core/gate';

/**
 * Keys of a gate's config that set up an active probe: `quotaProbe`, `isolationProbe`, a config
 * canary. Scheduled runs leave them out; the opt-in probe schedule runs the gate with them.
 */
const PROBE_KEY = /probe$|canary/i;

export function probeKeys(gateConfig: GateCommon & Record<string, unknown>): string[] {
  return Object.keys(gateConfig).filter((k) => PROBE_KEY.test(k) && gateConfig[k] !== undefined && gateConfig[k] !== false);
}

/** The gate's config without its active probes: what a scheduled (passive) run evaluates. */
export function withoutProbes<T extends GateCommon & Record<string, unknown>>(gateConfig: T): T {
  const keys = new Set(probeKeys(gateConfig));
  return Object.fromEntries(Object.entries(gateConfig).filter(([k]) => !keys.has(k))) as T;
}
