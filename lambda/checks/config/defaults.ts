/** Defaults of gate 3 that its declaration (schema, validate) needs without loading the check's code. */

/** Deepest JSON level the schema fingerprint looks at; deeper keys are usually data (maps keyed by IDs), not schema. */
export const DEFAULT_FINGERPRINT_DEPTH = 8;
/** The reserved key the canary round trip writes its nonce under. */
export const DEFAULT_PROBE_KEY = '_saasReadinessProbe';
