import type { GateCommon, GateId } from '../gate';

/** A named connection under `sources:`; `type` selects the adapter and its schema. */
export interface SourceConfig {
  type: string;
  [key: string]: unknown;
}

/** A validated `readiness.yaml`. */
export interface ReadinessConfig {
  version: 1;
  /** Names the stack, the dashboard and the metric dimension. */
  suite: string;
  sources: Record<string, SourceConfig>;
  gates: Partial<Record<GateId, GateCommon & Record<string, unknown>>>;
}

/** Where a config came from, for messages and reports. */
export interface LoadedConfig {
  config: ReadinessConfig;
  /** The file read, or undefined for the zero-config default built from env vars. */
  file?: string;
  /** Gates that the zero-config default could not configure, with the hint saying what to set. */
  skipped: Partial<Record<GateId, string>>;
}
