import { BUILT_IN } from '../lambda/registry';
/**
 * Gate 4 against local Datadog and NerdGraph stand-ins: the gate's wall time per run next to a
 * same-run baseline of raw HTTP round trips (the same number of requests the gate made, sent
 * sequentially with fetch), so the figure says what the gate adds over the network it needs.
 * Run alone with `npx tsx bench/monitoring.ts`.
 */
import { gate as monitoringGate } from '../lambda/checks/monitoring/gate';
import { parseConfig } from '../lambda/core/config/load';
import { runGates } from '../lambda/core/runner';
import { SecretsManagerResolver } from '../lambda/core/secrets';
import { healthyDatadog, startDatadog } from '../test/standins/datadog';
import { healthyNewRelic, startNewRelic } from '../test/standins/newrelic';

const RUNS = 15;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function benchMonitoring(): Promise<Record<string, unknown>> {
  const dd = healthyDatadog();
  const nr = healthyNewRelic();
  const [ddServer, nrServer] = await Promise.all([startDatadog(dd), startNewRelic(nr)]);
  try {
    const yaml = `version: 1
suite: bench
sources:
  dd: { type: datadog, apiKey: ${dd.apiKey}, appKey: ${dd.appKey}, apiUrl: '${ddServer.url}' }
  nr: { type: newrelic, apiKey: ${nr.apiKey}, accountId: ${nr.accountId}, apiUrl: '${nrServer.url}' }
gates:
  monitoring: { require: all, datadog: { source: dd, env: prod }, newrelic: { source: nr } }
`;
    const loaded = parseConfig(BUILT_IN, yaml, 'bench.yaml', { env: {} });
    const gateMs: number[] = [];
    let requestsPerRun = 0;
    for (let i = 0; i < RUNS; i++) {
      const before = ddServer.requests.length + nrServer.requests.length;
      const t = performance.now();
      const report = await runGates({ registry: BUILT_IN, only: [monitoringGate.id], loaded, secrets: new SecretsManagerResolver() });
      gateMs.push(performance.now() - t);
      if (report.results[0].status !== 'PASS') throw new Error(`bench run ${i}: ${report.results[0].status} ${report.results[0].summary}`);
      requestsPerRun = ddServer.requests.length + nrServer.requests.length - before;
    }
    const rawMs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      for (let r = 0; r < requestsPerRun; r++) {
        const res = await fetch(`${ddServer.url}/api/v1/validate`, { headers: { 'DD-API-KEY': dd.apiKey } });
        await res.text();
      }
      rawMs.push(performance.now() - t);
    }
    const gate = median(gateMs);
    const raw = median(rawMs);
    return {
      runs: RUNS,
      providers: 2,
      requestsPerRun,
      gateMedianMs: Number(gate.toFixed(1)),
      sequentialRawRoundTripsMedianMs: Number(raw.toFixed(1)),
      gateOverRawRatio: Number((gate / raw).toFixed(2)),
      note: 'local stand-ins answer in ~3 ms; against real APIs (~50–300 ms a call) the gate is bounded by its 4 sequential stages (validate, app-key check, Datadog span-name discovery, then signals, tenants and alerts concurrently)',
    };
  } finally {
    await Promise.all([ddServer.close(), nrServer.close()]);
  }
}

if (require.main === module) {
  benchMonitoring().then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
