/**
 * The Datadog client decision, measured by hand (the official client is not a dependency):
 *
 *   npm install --prefix /tmp/ddc @datadog/datadog-api-client@1.64
 *   npx tsx bench/datadog-client.ts /tmp/ddc
 *
 * Bundles (esbuild, minified, as NodejsFunction does) the hand-written Datadog adapter and an entry
 * that loads only the official client's APIs gate 4 would use, then times whole `node` processes
 * loading each, interleaved with `node -e 0`, and reads each one's peak RSS. Prints Markdown.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildSync } from 'esbuild';

const ROUNDS = 11;
const ROOT = resolve(__dirname, '..');

function main(prefix: string): void {
  const pkg = join(resolve(prefix), 'node_modules', '@datadog', 'datadog-api-client');
  const version = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')).version as string;
  const dir = mkdtempSync(join(tmpdir(), 'dd-client-'));
  try {
    const d = join(pkg, 'dist', 'packages');
    const entry = join(dir, 'official.js');
    writeFileSync(
      entry,
      [
        // Literal paths, so that esbuild bundles them as it would the adapter's imports.
        `const common = require(${JSON.stringify(join(d, 'datadog-api-client-common'))});`,
        "const configuration = common.createConfiguration({ authMethods: { apiKeyAuth: 'k', appKeyAuth: 'a' } });",
        ...[
          ['v1', 'AuthenticationApi'],
          ['v1', 'MetricsApi'],
          ['v1', 'MonitorsApi'],
          ['v2', 'MonitorsApi'],
          ['v2', 'SpansApi'],
        ].map(([v, api]) => `new (require(${JSON.stringify(join(d, `datadog-api-client-${v}`, 'apis', api))}).${api})(configuration);`),
      ].join('\n'),
    );
    const bundles = {
      'hand-written adapter (lambda/sources/datadog/monitoring.ts)': join(ROOT, 'lambda', 'sources', 'datadog', 'monitoring.ts'),
      [`official client ${version}: validate, metrics, monitors (v1), notification rules, spans (v2)`]: entry,
    };
    const built: Record<string, string> = {};
    for (const [name, input] of Object.entries(bundles)) {
      const out = join(dir, `${Object.keys(built).length}.js`);
      buildSync({ entryPoints: [input], bundle: true, platform: 'node', target: 'node20', minify: true, outfile: out, logLevel: 'error' });
      built[name] = out;
    }
    const cases: Record<string, string[]> = { 'node -e 0': ['-e', '0'], ...Object.fromEntries(Object.entries(built).map(([k, f]) => [k, [f]])) };
    const load = loadavg();
    const times: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
    for (let r = 0; r < ROUNDS; r++) {
      for (const [name, args] of Object.entries(cases)) {
        const t = process.hrtime.bigint();
        const res = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
        if (res.status !== 0) throw new Error(`${name}: ${res.stderr}`);
        times[name].push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }
    /** Peak RSS (MB) and CPU time (user + system, ms; less sensitive than wall time to a busy machine). */
    const usage = (file?: string) => {
      const code = `${file ? `require(${JSON.stringify(file)});` : ''}const u = process.resourceUsage(); process.stdout.write(JSON.stringify([Math.round(u.maxRSS / 1024), Math.round((u.userCPUTime + u.systemCPUTime) / 1000)]))`;
      const [rssMb, cpuMs] = JSON.parse(spawnSync(process.execPath, ['-e', code], { encoding: 'utf8' }).stdout) as number[];
      return `${rssMb} MB | ${cpuMs} ms`;
    };
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    console.log(`load average when the runs started: ${load.map((l) => l.toFixed(1)).join(', ')} on ${cpus().length} cores; Node.js ${process.version}\n`);
    const empty = median(times['node -e 0']);
    console.log(`| loaded in a fresh node process | bundle (minified) | gzip | wall, median of ${ROUNDS} | over \`node -e 0\` | peak RSS | CPU (one run) |`);
    console.log('|---|---:|---:|---:|---:|---:|---:|');
    console.log(`| nothing (\`node -e 0\`) | – | – | ${empty.toFixed(0)} ms | – | ${usage()} |`);
    for (const [name, file] of Object.entries(built)) {
      const size = statSync(file).size;
      const ms = median(times[name]);
      console.log(
        `| ${name} | ${(size / 1024).toFixed(0)} KiB | ${(gzipSync(readFileSync(file)).length / 1024).toFixed(0)} KiB | ${ms.toFixed(0)} ms | ${ms >= empty ? '+' : '−'}${Math.abs(ms - empty).toFixed(0)} ms | ${usage(file)} |`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (!process.argv[2]) {
  console.error('usage: npx tsx bench/datadog-client.ts <prefix where @datadog/datadog-api-client is installed>');
  process.exit(2);
}
main(process.argv[2]);
