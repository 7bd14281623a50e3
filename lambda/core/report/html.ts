/**
 * The HTML report: one self-contained file (styles, data and Chart.js inline, a Content Security
 * Policy that allows no network access), with a status overview per gate, the criteria and
 * evidence, and charts where a picture says more than a table: gate 2's tracked vs billed amount
 * per tenant inside the ±tolerance band, gate 4's tenants seen per provider against the minimum,
 * and each gate's status over time when a history exists. Every chart has an accessible name and
 * the same numbers as a table underneath it; the print layout shows the tables.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describeChange, tenantVariances, type GateRecord } from '../changes';
import type { CheckResult, Status } from '../result';
import type { RunReport } from '../runner';

export interface HtmlInputs {
  /** Each gate's recorded runs, oldest first (from the history); the current run is added by the report. */
  timelines?: Record<string, GateRecord[]>;
}

const ICON: Record<Status, string> = { PASS: '✓', FAIL: '✗', SKIP: '⚠', ERROR: '⛔' };
const LEVEL: Record<Status, number> = { FAIL: 0, ERROR: 1, SKIP: 2, PASS: 3 };

let chartJs: string | undefined;

/**
 * Chart.js's UMD build, read from the installed package (a runtime dependency: the report is
 * written where the CLI runs, and is viewed offline).
 */
export function chartJsSource(): string {
  chartJs ??= readFileSync(join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'), 'utf8');
  return chartJs;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** JSON safe inside a <script> element: no `<` can open `</script>` or a comment. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

interface ChartSpec {
  id: string;
  kind: 'cost' | 'monitoring' | 'timeline';
  label: string;
  data: unknown;
}

function costCharts(r: CheckResult): { charts: ChartSpec[]; tables: string[] } {
  const costs = tenantVariances(r);
  if (!costs) return { charts: [], tables: [] };
  const tol = costs.tolerancePercent ?? 5;
  const charts: ChartSpec[] = [];
  const tables: string[] = [];
  for (const provider of [...new Set(costs.tenants.map((t) => t.provider))]) {
    const rows = costs.tenants.filter((t) => t.provider === provider);
    const outside = rows.filter((t) => t.status === 'outside').map((t) => t.tenant);
    const id = `chart-cost-${provider.replace(/[^a-z0-9]/gi, '')}`;
    charts.push({
      id,
      kind: 'cost',
      label: `${provider.toUpperCase()}: tracked and billed US dollars for ${rows.length} tenants, with the ±${tol}% tolerance band around each bill; ${outside.length ? `outside the band: ${outside.join(', ')}` : 'every tenant inside the band'}.`,
      data: { tolerance: tol, rows: rows.map((t) => ({ tenant: t.tenant, tracked: t.trackedUsd, billed: t.billedUsd, status: t.status })) },
    });
    tables.push(
      `<table class="data"><caption>${esc(provider.toUpperCase())} per tenant (tolerance ±${tol}%)</caption><thead><tr><th scope="col">Tenant</th><th scope="col">Tracked (USD)</th><th scope="col">Billed (USD)</th><th scope="col">Variance</th><th scope="col">Judged</th></tr></thead><tbody>` +
        rows
          .map(
            (t) =>
              `<tr${t.status === 'outside' ? ' class="bad"' : ''}><th scope="row">${esc(t.tenant)}</th><td>${t.trackedUsd.toFixed(2)}</td><td>${t.billedUsd.toFixed(2)}</td><td>${t.variancePct === null ? '—' : `${t.variancePct > 0 ? '+' : ''}${t.variancePct.toFixed(2)}%`}</td><td>${esc(t.status)}</td></tr>`,
          )
          .join('') +
        '</tbody></table>',
    );
  }
  return { charts, tables };
}

function monitoringCharts(r: CheckResult): { charts: ChartSpec[]; tables: string[] } {
  const rows = r.criteria
    .flatMap((c) => c.measurements ?? [])
    .filter((m) => m.name.endsWith('.tenantsMonitored') && typeof m.value === 'number')
    .map((m) => ({ provider: m.name.split('.')[0], tenants: m.value as number, minimum: Number(/(\d+)/.exec(m.threshold ?? '')?.[1] ?? 0) }));
  if (rows.length === 0) return { charts: [], tables: [] };
  return {
    charts: [
      {
        id: 'chart-monitoring',
        kind: 'monitoring',
        label: `Tenants seen in the throughput signal per monitoring provider against the minimum: ${rows.map((x) => `${x.provider} ${x.tenants} of ${x.minimum}`).join(', ')}.`,
        data: { rows },
      },
    ],
    tables: [
      `<table class="data"><caption>Tenants per provider (throughput broken down by tenant)</caption><thead><tr><th scope="col">Provider</th><th scope="col">Tenants seen</th><th scope="col">Minimum</th></tr></thead><tbody>${rows.map((x) => `<tr${x.tenants < x.minimum ? ' class="bad"' : ''}><th scope="row">${esc(x.provider)}</th><td>${x.tenants}</td><td>${x.minimum}</td></tr>`).join('')}</tbody></table>`,
    ],
  };
}

function timelineChart(report: RunReport, inputs: HtmlInputs): { charts: ChartSpec[]; tables: string[] } {
  const timelines = inputs.timelines;
  if (!timelines) return { charts: [], tables: [] };
  const series = report.results.map((r) => {
    const past = (timelines[r.gate] ?? []).filter((p) => p.startedAt < r.startedAt);
    return { gate: r.gate, points: [...past, { startedAt: r.startedAt, status: r.status }].map((p) => ({ at: p.startedAt, status: p.status })) };
  });
  if (!series.some((s) => s.points.length > 1)) return { charts: [], tables: [] };
  const label = `Status of each gate over time (${series.map((s) => `${s.gate}: ${s.points.length} runs, now ${s.points[s.points.length - 1].status}`).join('; ')}).`;
  const rows = series.flatMap((s) => s.points.map((p) => `<tr><th scope="row">${esc(s.gate)}</th><td>${esc(p.at)}</td><td>${p.status}</td></tr>`));
  return {
    charts: [{ id: 'chart-timeline', kind: 'timeline', label, data: { series, levels: LEVEL } }],
    tables: [
      `<table class="data"><caption>Recorded runs</caption><thead><tr><th scope="col">Gate</th><th scope="col">Started</th><th scope="col">Status</th></tr></thead><tbody>${rows.join('')}</tbody></table>`,
    ],
  };
}

function chartBlock(spec: ChartSpec, tables: string[]): string {
  return `<figure class="chart"><div class="canvas"><canvas id="${spec.id}" role="img" aria-label="${esc(spec.label)}">${esc(spec.label)}</canvas></div><figcaption>${esc(spec.label)}</figcaption><details class="numbers"><summary>The numbers</summary>${tables.join('')}</details></figure>`;
}

function gateSection(r: CheckResult, charts: string): string {
  const criteria = r.criteria.length
    ? `<table class="criteria"><caption>Criteria</caption><thead><tr><th scope="col">Status</th><th scope="col">Criterion</th><th scope="col">Found</th></tr></thead><tbody>${r.criteria
        .map(
          (c) =>
            `<tr class="s-${c.status}"><td><span class="badge s-${c.status}">${ICON[c.status]} ${c.status}</span></td><th scope="row">${esc(c.title)}</th><td>${esc(c.summary)}${
              c.evidence?.length ? `<ul class="evidence">${c.evidence.map((e) => `<li>${esc(e)}</li>`).join('')}</ul>` : ''
            }${c.remediation && c.status !== 'PASS' ? `<p class="fix"><strong>Fix:</strong> ${esc(c.remediation)}</p>` : ''}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : '';
  const evidence = r.evidence.length ? `<h3>Evidence</h3><ul class="evidence">${r.evidence.map((e) => `<li>${esc(e)}</li>`).join('')}</ul>` : '';
  const fix = r.remediation && r.status !== 'PASS' ? `<p class="fix"><strong>Fix:</strong> ${esc(r.remediation)}</p>` : '';
  return `<section class="gate" id="gate-${esc(r.gate)}" aria-labelledby="h-${esc(r.gate)}"><h2 id="h-${esc(r.gate)}"><span class="badge s-${r.status}">${ICON[r.status]} ${r.status}</span> ${esc(r.title)} <code>${esc(r.gate)}</code></h2><p class="summary">${esc(r.summary)}</p>${charts}${criteria}${evidence}${fix}</section>`;
}

function changesSection(report: RunReport): string {
  const c = report.changes;
  if (!c) return '';
  const items = c.changes.length
    ? `<ul>${c.changes
        .map(
          (g) =>
            `<li>${describeChange(g)
              .map((l) => esc(l.trim()))
              .join('<br>')}</li>`,
        )
        .join('')}</ul>`
    : `<p>Nothing changed since the previous run${c.compared.length ? ` of ${esc(c.compared.join(', '))}` : ''}.</p>`;
  const first = c.firstRuns.length ? `<p>First recorded run of ${esc(c.firstRuns.join(', '))}: nothing to compare with.</p>` : '';
  return `<section class="changes" aria-labelledby="h-changes"><h2 id="h-changes">What changed since the previous run</h2>${items}${first}<p class="muted">Compared with ${esc(c.history)}.</p></section>`;
}

const STYLE = `
:root{--pass:#1a7f37;--fail:#cf222e;--skip:#9a6700;--error:#8250df;--ink:#1f2328;--muted:#59636e;--line:#d1d9e0}
*{box-sizing:border-box}body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);margin:0;background:#f6f8fa}
main{max-width:1100px;margin:0 auto;padding:24px}header.top{display:flex;flex-wrap:wrap;gap:12px;align-items:baseline;justify-content:space-between}
h1{font-size:26px;margin:0}h2{font-size:19px;margin:0 0 8px}h3{font-size:15px;margin:16px 0 4px}code{font-size:13px;color:var(--muted)}
.verdict{font-size:20px;font-weight:700;padding:6px 14px;border-radius:8px;color:#fff}.verdict.READY{background:var(--pass)}.verdict.NOT{background:var(--fail)}
.muted{color:var(--muted)}.overview{display:grid;grid-template-columns:repeat(auto-fit,minmax(230px,1fr));gap:12px;list-style:none;padding:0;margin:20px 0}
.overview li{background:#fff;border:1px solid var(--line);border-left:6px solid var(--line);border-radius:8px;padding:12px}
.overview li.s-PASS{border-left-color:var(--pass)}.overview li.s-FAIL{border-left-color:var(--fail)}.overview li.s-SKIP{border-left-color:var(--skip)}.overview li.s-ERROR{border-left-color:var(--error)}
.overview a{color:inherit;text-decoration:none}.overview .name{font-weight:600;display:block}.overview p{margin:6px 0 0;font-size:13px;color:var(--muted)}
.badge{display:inline-block;font-size:12px;font-weight:700;padding:1px 8px;border-radius:10px;color:#fff;white-space:nowrap;vertical-align:middle}
.badge.s-PASS{background:var(--pass)}.badge.s-FAIL{background:var(--fail)}.badge.s-SKIP{background:var(--skip)}.badge.s-ERROR{background:var(--error)}
section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:16px 18px;margin:16px 0}
table{border-collapse:collapse;width:100%;margin:8px 0;font-size:14px}caption{text-align:left;font-weight:600;padding:4px 0}
th,td{border-top:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}thead th{border-top:0;color:var(--muted);font-weight:600}
td:nth-child(n+2){overflow-wrap:anywhere}.evidence{margin:4px 0 0;padding-left:18px;color:var(--muted);font-size:13px}.fix{margin:6px 0 0}
tr.bad th,tr.bad td{color:var(--fail);font-weight:600}.chart{margin:12px 0}.canvas{position:relative;height:300px}
figcaption{font-size:13px;color:var(--muted);margin-top:4px}details.numbers summary{cursor:pointer;font-size:13px;color:var(--muted)}
footer{color:var(--muted);font-size:12px;margin:24px 0}
@media print{body{background:#fff;font-size:11pt}main{max-width:none;padding:0}section,.overview li{break-inside:avoid;border-color:#999}
.canvas{height:220px}details.numbers::details-content{content-visibility:visible;display:block}details.numbers summary{display:none}.verdict{border:2px solid #000;color:#000;background:none!important}
.badge{color:#000;background:none!important;border:1px solid #000}a{color:inherit}}
`;

/** Draws every chart spec with Chart.js; sets `data-charts-drawn` on <body> when done. */
const DRAW = `
(function(){
  var specs = JSON.parse(document.getElementById('chart-data').textContent);
  var css = getComputedStyle(document.documentElement);
  var col = function(n){return css.getPropertyValue('--'+n).trim();};
  var statusColor = {PASS:col('pass'),FAIL:col('fail'),SKIP:col('skip'),ERROR:col('error')};
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.family = 'system-ui, sans-serif';
  var drawn = 0;
  specs.forEach(function(spec){
    var ctx = document.getElementById(spec.id);
    var d = spec.data, cfg;
    if (spec.kind === 'cost') {
      var t = d.tolerance / 100;
      cfg = {type:'bar', data:{labels:d.rows.map(function(r){return r.tenant;}), datasets:[
        {label:'±'+d.tolerance+'% around the bill', data:d.rows.map(function(r){return [r.billed*(1-t), r.billed*(1+t)];}), backgroundColor:'rgba(26,127,55,0.16)', borderColor:'rgba(26,127,55,0.5)', borderWidth:1, grouped:false, barPercentage:0.9, order:3},
        {label:'tracked by the app', data:d.rows.map(function(r){return r.tracked;}), backgroundColor:d.rows.map(function(r){return r.status==='outside'?col('fail'):'#0969da';}), grouped:false, barPercentage:0.35, order:2},
        {label:'billed', type:'line', data:d.rows.map(function(r){return r.billed;}), showLine:false, pointStyle:'line', pointRadius:14, pointBorderWidth:3, borderColor:'#1f2328', backgroundColor:'#1f2328', order:1}
      ]}, options:{scales:{y:{title:{display:true,text:'US dollars in the window'}}}, plugins:{tooltip:{callbacks:{label:function(c){var v=c.raw; return c.dataset.label+': '+(Array.isArray(v)?v.map(function(x){return x.toFixed(2);}).join(' – '):v.toFixed(2));}}}}}};
    } else if (spec.kind === 'monitoring') {
      cfg = {type:'bar', data:{labels:d.rows.map(function(r){return r.provider;}), datasets:[
        {label:'tenants seen', data:d.rows.map(function(r){return r.tenants;}), backgroundColor:d.rows.map(function(r){return r.tenants>=r.minimum?col('pass'):col('fail');}), order:2},
        {label:'minimum', type:'line', data:d.rows.map(function(r){return r.minimum;}), showLine:false, pointStyle:'line', pointRadius:30, pointBorderWidth:3, borderColor:'#1f2328', order:1}
      ]}, options:{scales:{y:{beginAtZero:true, grace:'10%', title:{display:true,text:'tenants'}}}}};
    } else {
      var names = ['FAIL','ERROR','SKIP','PASS'];
      var palette = ['#0969da','#bf3989','#1b7c83','#953800','#6639ba'];
      var times = d.series.reduce(function(all,s){return all.concat(s.points.map(function(p){return Date.parse(p.at);}));},[]);
      var span = Math.max.apply(null, times) - Math.min.apply(null, times);
      cfg = {type:'line', data:{datasets:d.series.map(function(s,i){return {label:s.gate, stepped:true, data:s.points.map(function(p){return {x:Date.parse(p.at), y:d.levels[p.status]+(i-(d.series.length-1)/2)*0.06};}), borderColor:palette[i%palette.length], backgroundColor:s.points.map(function(p){return statusColor[p.status];}), pointRadius:4};})},
        options:{parsing:false, scales:{x:{type:'linear', ticks:{maxTicksLimit:8, callback:function(v){return new Date(v).toISOString().slice(0,span<7200000?19:16).replace('T',' ');}}}, y:{min:-0.5, max:3.5, afterBuildTicks:function(axis){axis.ticks=[0,1,2,3].map(function(v){return {value:v};});}, ticks:{callback:function(v){return names[v]||'';}}}},
        plugins:{tooltip:{callbacks:{label:function(c){return c.dataset.label+': '+names[Math.round(c.raw.y)];}}}}}};
    }
    new Chart(ctx, cfg);
    drawn++;
  });
  document.body.setAttribute('data-charts-drawn', String(drawn));
})();
`;

/** The whole report as one HTML document. */
export function renderHtml(report: RunReport, inputs: HtmlInputs = {}): string {
  const specs: ChartSpec[] = [];
  const sections = report.results.map((r) => {
    // Charts follow the evidence a result carries (a tenant_costs.json artifact, per-provider tenant counts), whichever gate produced it.
    const parts = [costCharts(r), monitoringCharts(r)];
    const blocks = parts.flatMap((p) => p.charts.map((c, i) => chartBlock(c, [p.tables[i]])));
    specs.push(...parts.flatMap((p) => p.charts));
    return gateSection(r, blocks.join(''));
  });
  const timeline = timelineChart(report, inputs);
  specs.push(...timeline.charts);
  const timelineSection = timeline.charts.length
    ? `<section aria-labelledby="h-timeline"><h2 id="h-timeline">Status over time</h2>${chartBlock(timeline.charts[0], timeline.tables)}</section>`
    : '';
  const overview = `<ul class="overview" aria-label="Status per gate">${report.results
    .map(
      (r) =>
        `<li class="s-${r.status}"><a href="#gate-${esc(r.gate)}"><span class="name">${esc(r.title)}</span><span class="badge s-${r.status}">${ICON[r.status]} ${r.status}</span> <code>${esc(r.gate)}</code><p>${esc(r.summary)}</p></a></li>`,
    )
    .join('')}</ul>`;
  const title = `saas-readiness: ${report.verdict} · ${report.suite}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header class="top"><div><h1>saas-readiness · ${esc(report.suite)}</h1><p class="muted">${esc(report.startedAt)} · ${(report.durationMs / 1000).toFixed(1)} s · ${esc(report.configFile ?? 'zero-config (environment)')} · saas-readiness ${esc(report.tool.version)}</p></div>
<p class="verdict ${report.verdict === 'READY' ? 'READY' : 'NOT'}" role="status">${report.verdict === 'READY' ? '✓ READY' : '✗ NOT READY'}</p></header>
<p>${esc(report.verdictReason)}${report.allowSkip ? ' (learning mode: skipped gates allowed)' : ''}.</p>
${overview}
${changesSection(report)}
${sections.join('\n')}
${timelineSection}
<footer>Charts drawn with Chart.js (MIT), included in this file; the report loads nothing from the network.</footer>
</main>
<script type="application/json" id="chart-data">${scriptJson(specs)}</script>
<script>${specs.length ? chartJsSource() : ''}</script>
<script>${specs.length ? DRAW : "document.body.setAttribute('data-charts-drawn','0');"}</script>
</body>
</html>
`;
}
