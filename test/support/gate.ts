import { BUILT_IN } from '../../lambda/registry';
import { prepareGates } from '../../lambda/core/config/load';
import type { ReadinessConfig } from '../../lambda/core/config/types';
import { runGates, type RunReport } from '../../lambda/core/runner';
import type { CheckResult } from '../../lambda/core/result';
import type { SecretResolver } from '../../lambda/core/secrets';

export const plainSecrets: SecretResolver = { resolve: async (v) => v, json: async () => ({}) };

/** Runs one gate of a config through the real runner, completed as the loader completes it (defaults, shared values); returns its result and the report. */
export async function runGate(
  config: Omit<ReadinessConfig, 'version' | 'suite'> & { suite?: string },
  gate: CheckResult['gate'],
  opts: { probes?: boolean; secrets?: SecretResolver; gateOptions?: Record<string, string | boolean | undefined> } = {},
): Promise<{ result: CheckResult; report: RunReport }> {
  const report = await runGates({
    registry: BUILT_IN,
    loaded: {
      config: prepareGates(BUILT_IN, structuredClone({ version: 1, suite: config.suite ?? 'test', sources: config.sources, gates: config.gates })),
      skipped: {},
    },
    only: [gate as never],
    secrets: opts.secrets ?? plainSecrets,
    probes: opts.probes ?? true,
    gateOptions: opts.gateOptions,
  });
  return { result: report.results[0], report };
}
