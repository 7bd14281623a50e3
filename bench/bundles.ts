/**
 * Each gate's deployed bundle, built exactly as the stack builds it (the entry composed from the
 * plan of the example readiness.yaml, bundled with the same esbuild options), measured: size,
 * gzip (≈ the uploaded zip), and the cold-start proxy — requiring the bundle in a fresh Node
 * process against a fresh process that loads nothing (`node -e 0`).
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadConfigFile } from '../lambda/core/config/load';
import { BUILT_IN } from '../lambda/registry';
import { buildGateBundle } from '../lib/gate-bundle';
import { planDeployment } from '../lib/deployment-plan';
import { fmt, measureNode, ROOT } from './measure';

const RUNS = 9;

async function median(step: () => Promise<number>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push(await step());
  return times.sort((a, b) => a - b)[Math.floor(RUNS / 2)];
}

export async function benchBundles(): Promise<Record<string, string>[]> {
  const plan = planDeployment(loadConfigFile(BUILT_IN, join(ROOT, 'readiness.yaml'), { resolveEnv: false, env: {} }), { historyTable: 'History' });
  const dir = mkdtempSync(join(tmpdir(), 'sr-bench-bundles-'));
  try {
    const bare = await median(async () => (await measureNode('0')).wallMs);
    const rows: Record<string, string>[] = [];
    for (const gate of plan.gates) {
      const outfile = join(dir, gate.id, 'index.js');
      const { packages } = buildGateBundle(gate.bundle, join(dir, gate.id));
      const sdkBytes = packages.reduce((sum, p) => sum + statSync(join(dir, gate.id, 'node_modules', p, 'index.js')).size, 0);
      const code = readFileSync(outfile);
      const loaded = await median(async () => (await measureNode(`require(${JSON.stringify(outfile)})`)).wallMs);
      rows.push({
        gate: gate.id,
        sources: gate.bundle.sources.map((s) => BUILT_IN.sources.find((d) => d.module === s)!.type).join(', '),
        'index.js': `${(code.length / 1024).toFixed(0)} KiB`,
        gzip: `${(gzipSync(code).length / 1024).toFixed(0)} KiB`,
        'source map': `${(statSync(`${outfile}.map`).size / 1024).toFixed(0)} KiB`,
        'SDK packages (node_modules/, loaded on first use)': `${packages.length}, ${(sdkBytes / 1024).toFixed(0)} KiB`,
        'load (fresh node)': fmt.ms(loaded),
        'bare node -e 0': fmt.ms(bare),
        'load − bare': `+${fmt.ms(loaded - bare)}`,
      });
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
