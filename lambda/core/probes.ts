import type { GateCommon, GateDefinition } from './gate';

/**
 * The active probes set up in a gate's config (the keys it declares as probes: a quota probe, a
 * config canary). Scheduled runs leave them out; the opt-in probe schedule runs the gate with them.
 */
export function probeKeys(gate: GateDefinition, config: GateCommon & Record<string, unknown>): string[] {
  return (gate.probes ?? []).filter((k) => config[k] !== undefined && config[k] !== false);
}

/** The gate's config without its active probes: what a scheduled (passive) run evaluates. */
export function withoutProbes<T extends GateCommon & Record<string, unknown>>(gate: GateDefinition, config: T): T {
  const keys = new Set(probeKeys(gate, config));
  return Object.fromEntries(Object.entries(config).filter(([k]) => !keys.has(k))) as T;
}
