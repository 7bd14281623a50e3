/**
 * Every registered gate's PASS logs its key measurement (`keyMetric`, `keyValue` in the result line),
 * the one its dashboard widget graphs with Logs Insights (issue 15: counts and amounts moved from
 * custom metrics to the structured log). The gates run for real (through the runner and the
 * loader's defaults) on an in-memory source; the line is the one the handler's result log sink writes. Before the registry, gate 4's key
 * metric was picked by /signals?/i and its result had no measurement of that name, so the
 * "Monitoring signals flowing" graph never got data (gate 2's /variance/i found nothing either).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareGates } from '../../lambda/core/config/load';
import { Registry } from '../../lambda/core/registry';
import { runGates } from '../../lambda/core/runner';
import { GATES } from '../../lambda/gates';
import { resultLogSink } from '../../lambda/sinks/result-log';
import { SOURCES } from '../../lambda/sources';
import { plainSecrets } from '../support/gate';
import { memorySource, MEMORY_CONFIG } from '../support/memory-source';

const registry = new Registry(GATES, [...SOURCES, memorySource]);

describe('the key metric of every registered gate', () => {
  const config = structuredClone(MEMORY_CONFIG) as typeof MEMORY_CONFIG & { gates: { config: { history?: { file: string } } } };
  config.gates.config.history = { file: join(mkdtempSync(join(tmpdir(), 'sr-key-')), 'history.jsonl') };
  const run = runGates({ registry, loaded: { config: prepareGates(registry, config), skipped: {} }, secrets: plainSecrets, probes: true });

  it.each(GATES.map((g) => [g.id, g] as const))('%s: a PASS logs its key measurement under the metric name it declares', async (_id, gate) => {
    const result = (await run).results.find((r) => r.gate === gate.id)!;
    expect({ status: result.status, summary: result.summary }).toMatchObject({ status: 'PASS' });
    const lines: Record<string, unknown>[] = [];
    const logger = { info: (_message: string, fields: Record<string, unknown>) => lines.push(fields) } as unknown as Parameters<typeof resultLogSink>[0];
    await resultLogSink(logger, gate).publish({
      report: await run,
      result,
      suite: 'memtest',
      run: 'scheduled',
      prefix: 'p/',
      probesLeftOut: [],
      requestId: 'r',
      functionArn: 'arn',
    });
    expect(lines).toHaveLength(1);
    expect(lines[0].keyMetric).toBe(gate.keyMeasurement.metric);
    expect(typeof lines[0].keyValue).toBe('number');
  });

  it.each(GATES.map((g) => [g.id, g] as const))('%s: reports only criteria it declares', async (_id, gate) => {
    const result = (await run).results.find((r) => r.gate === gate.id)!;
    const declared = gate.criteria.map((c) => c.id);
    // A criterion may be qualified by what it is about (`memory.signals` for gate 4's `signals`).
    for (const c of result.criteria) expect(declared).toContain(c.id.split('.').pop());
  });
});
