import { describeError, SourceError } from '../../core/errors';
import { plural } from '../../core/plural';
import { errorOutcome, listOffenders, outcomeFromCriteria, type Artifact, type Criterion, type GateOutcome, type Measurement } from '../../core/result';
import { normalizeTenantId } from '../../core/tenant-id';
import { abs, divRound, formatDecimal, formatUsd, SCALE_DIGITS, sharePercent, toDollars, variancePercent, withinTolerance, type Money } from './money';
import type { ActualBill, BillSource, CostLedger, LedgerSummary, Provider } from './ports';
import { dayOf, type CostWindow } from './window';

/** How one provider's bill is read and allocated to tenants. */
export interface ProviderSetup {
  bill: BillSource;
  /** Ledger provider values counted as this provider (compared lower-case). */
  ledgerValues: string[];
  /** AWS: the tag value of pooled resources; its spend is a tenant line only if the ledger has that name. */
  sharedValue?: string;
  /** OpenAI: project ID → tenant ID. Without it the provider is compared in total only. */
  projects?: Record<string, string>;
  /** AWS: the cost allocation tag key, for messages. */
  tagKey?: string;
  /** AWS: the largest untagged share of the bill, in percent as an exact decimal (parseMoney('20') = 20 %). */
  maxUntaggedPercent?: Money;
}

export interface CostCheckInput {
  ledger: CostLedger;
  window: CostWindow;
  providers: Partial<Record<Provider, ProviderSetup>>;
  /** Tolerance in percent as an exact decimal (parseMoney('5') = 5 %). */
  tolerancePercent: Money;
  /** Tenants whose tracked and actual spend are both below this are not judged. */
  materiality: Money;
  maxLagHours: number;
  now: Date;
  signal: AbortSignal;
  progress?: (message: string) => void;
}

/** One reconciled line of tenant_costs.csv. */
export interface CostLine {
  tenant: string;
  provider: Provider;
  tracked: Money;
  actual: Money;
  /** ok, outside (tolerance), below-floor, unallocated, total. */
  status: 'ok' | 'outside' | 'below-floor' | 'unallocated' | 'total';
}

const NAMES: Record<Provider, string> = { aws: 'AWS', openai: 'OpenAI' };

/**
 * Gate 2: the costs the app's ledger attributes to tenants match what AWS and OpenAI actually
 * billed, per provider in total and per material tenant, within the tolerance; and the ledger is fresh.
 * The ledger and the bills are read concurrently; any source in error keeps the gate from PASS.
 */
export async function checkCost(input: CostCheckInput): Promise<GateOutcome> {
  const providers = (Object.keys(input.providers) as Provider[]).filter((p) => input.providers[p]);
  if (providers.length === 0)
    return errorOutcome('no bill to reconcile the ledger with: configure aws and/or openai', 'Set gates.cost.aws.source or gates.cost.openai.source.');
  input.progress?.(
    `reading the ledger and the ${providers.map((p) => NAMES[p]).join(' and ')} ${providers.length === 1 ? 'bill' : 'bills'} for ${input.window.from}..${input.window.to}`,
  );
  // The ledger's aggregation is started before the bills are paged: reading a bill is work in this
  // process, the aggregation is work in the database, and the two overlap only in that order.
  const opened = await Promise.allSettled([input.ledger.open?.(input.signal)]);
  const summary = opened[0].status === 'rejected' ? Promise.reject(opened[0].reason) : input.ledger.summarize(input.window, input.signal);
  const [ledgerResult, ...billResults] = await Promise.allSettled([
    summary,
    ...providers.map((p) => input.providers[p]!.bill.fetch(input.window, input.signal)),
  ]);
  const bills = new Map(providers.map((p, i) => [p, billResults[i] as PromiseSettledResult<ActualBill>]));

  const criteria: Criterion[] = [];
  const measurements: Measurement[] = [];
  const evidence = [`window: ${input.window.from} to ${input.window.to} inclusive (${input.window.label})`];
  const lines: CostLine[] = [];

  if (ledgerResult.status === 'rejected') {
    criteria.push({
      id: 'ledger',
      title: 'Cost ledger readable',
      status: 'ERROR',
      summary: `cost ledger: ${describeError(ledgerResult.reason)}`,
      remediation:
        ledgerResult.reason instanceof SourceError && ledgerResult.reason.remediation
          ? ledgerResult.reason.remediation
          : 'Check the ledger source settings (table and column names) and that it is reachable from where the check runs.',
    });
  }
  const ledger = ledgerResult.status === 'fulfilled' ? ledgerResult.value : undefined;
  if (ledger) {
    evidence.push(`ledger: ${ledger.source}${ledger.rowsRead !== undefined ? ` (${ledger.rowsRead} rows read)` : ''}`);
    if (ledger.nullCosts?.count) evidence.push(`ledger: ${nullCostNote(ledger.nullCosts)}`);
    criteria.push(freshnessCriterion(ledger, input));
    const known = new Set(providers.flatMap((p) => input.providers[p]!.ledgerValues.map((v) => v.toLowerCase())));
    const other = ledger.totals.filter((t) => !known.has(t.provider.toLowerCase()));
    if (other.length) {
      const byProvider = new Map<string, Money>();
      for (const t of other) byProvider.set(t.provider, (byProvider.get(t.provider) ?? 0n) + t.amount);
      evidence.push(`not reconciled (provider not configured): ${[...byProvider].map(([p, m]) => `${p} ${formatUsd(m)}`).join(', ')}`);
    }
  }

  for (const provider of providers) {
    const setup = input.providers[provider]!;
    const result = bills.get(provider)!;
    if (result.status === 'rejected') {
      criteria.push({
        id: provider,
        title: `${NAMES[provider]} bill readable`,
        status: 'ERROR',
        summary: `${NAMES[provider]} bill: ${describeError(result.reason)}`,
        remediation: (result.reason as { remediation?: string })?.remediation ?? `Check the ${NAMES[provider]} bill source settings and credentials.`,
      });
      continue;
    }
    if (!ledger) {
      // The bill was read (and Cost Explorer's requests paid for) although nothing can be reconciled.
      const bill = result.value;
      if (bill.requests) {
        evidence.push(
          `${NAMES[provider]} bill read but not reconciled (the ledger could not be read): ${plural(bill.requests.count, 'Cost Explorer request')} made, ${formatUsd(bill.requests.cost)} at $0.01 each${bill.requests.throttled ? ` (${bill.requests.throttled} throttled and retried)` : ''}`,
        );
        measurements.push(
          { name: 'costExplorerRequests', value: bill.requests.count, unit: 'requests' },
          { name: 'costExplorerCostUsd', value: toDollars(bill.requests.cost), unit: 'USD' },
        );
      }
      if (bill.readCost) {
        evidence.push(
          `${NAMES[provider]} bill read but not reconciled (the ledger could not be read): ${bill.readCost.summary}: ≈ $${formatDecimal(bill.readCost.cost, 6)}`,
        );
        measurements.push({ name: 'billReadCostUsd', value: toDollars(bill.readCost.cost), unit: 'USD' });
      }
      continue;
    }
    const r = reconcile(provider, setup, ledger, result.value, input);
    criteria.push(...r.criteria);
    measurements.push(...r.measurements);
    lines.push(...r.lines);
  }

  const shown = lines.map(printed);
  const artifacts: Artifact[] = lines.length ? [csvArtifact(shown), jsonArtifact(shown, input)] : [];
  const passed = criteria.filter((c) => c.id.endsWith('-total')).map((c) => c.summary);
  return outcomeFromCriteria(criteria, {
    measurements: [
      ...variance(criteria.flatMap((c) => c.measurements ?? [])),
      ...measurements,
      ...criteria.flatMap((c) => (c.id === 'fresh' ? (c.measurements ?? []) : [])),
    ],
    evidence,
    artifacts,
    passSummary: `tracked costs reconcile within ±${formatPercent(input.tolerancePercent)}: ${passed.join('; ')}`,
  });
}

/** Ledger rows without a cost: how many, and the first few by tenant and date. */
function nullCostNote(nulls: { count: number; examples: string[] }): string {
  return `${plural(nulls.count, 'row')} in the window ${nulls.count === 1 ? 'has' : 'have'} no cost (NULL) and ${nulls.count === 1 ? 'counts' : 'count'} as $0: ${listOffenders(nulls.examples, nulls.count)}`;
}

/** The total variance furthest from zero over the providers (signed), the gate's key measurement. */
function variance(measurements: readonly Measurement[]): Measurement[] {
  const totals = measurements.filter((m) => m.name.endsWith('VariancePct') && typeof m.value === 'number');
  if (totals.length === 0) return [];
  const widest = totals.reduce((a, b) => (Math.abs(b.value as number) > Math.abs(a.value as number) ? b : a));
  return [{ name: 'variancePercent', value: widest.value, unit: '%', threshold: widest.threshold }];
}

/** A configured percentage as written: 5 → "5%", 0.125 → "0.125%" (up to 6 decimals). */
function formatPercent(p: Money): string {
  return `${formatDecimal(p, 6).replace(/\.?0+$/, '')}%`;
}

function freshnessCriterion(ledger: LedgerSummary, input: CostCheckInput): Criterion {
  const title = `Ledger fresh (newest entry within ${input.maxLagHours} h)`;
  const remediation = 'The app must write cost entries continuously (at least daily); check the metering job that fills the ledger.';
  if (!ledger.newest) {
    return { id: 'fresh', title, status: 'FAIL', summary: `the cost ledger is empty (${ledger.source})`, remediation };
  }
  const { at, dateOnly } = ledger.newest;
  const ageHours = Math.max(0, (input.now.getTime() - at.getTime()) / 3_600_000);
  // A date-only entry covers its whole day: fresh when that day is not before the day maxLag ago.
  const oldestFresh = dayOf(new Date(input.now.getTime() - input.maxLagHours * 3_600_000));
  const fresh = dateOnly ? dayOf(at) >= oldestFresh : ageHours <= input.maxLagHours;
  const shown = dateOnly ? dayOf(at) : at.toISOString();
  const age = ageHours < 48 ? `${ageHours.toFixed(1)} h` : `${Math.floor(ageHours / 24)} days`;
  return {
    id: 'fresh',
    title,
    status: fresh ? 'PASS' : 'FAIL',
    summary: fresh
      ? `newest ledger entry ${shown} (${age} old)`
      : `ledger is stale: newest entry ${shown} is ${age} old${dateOnly ? ` (need ${oldestFresh} or later)` : ` (max ${input.maxLagHours} h)`}`,
    measurements: [{ name: 'ledgerAgeHours', value: Number(ageHours.toFixed(1)), unit: 'h', threshold: `<= ${input.maxLagHours}` }],
    ...(fresh ? {} : { remediation }),
  };
}

interface Reconciliation {
  criteria: Criterion[];
  measurements: Measurement[];
  lines: CostLine[];
}

function sum(values: Iterable<Money>): Money {
  let s = 0n;
  for (const v of values) s += v;
  return s;
}

function add(map: Map<string, Money>, key: string, amount: Money): void {
  map.set(key, (map.get(key) ?? 0n) + amount);
}

function reconcile(provider: Provider, setup: ProviderSetup, ledger: LedgerSummary, bill: ActualBill, input: CostCheckInput): Reconciliation {
  const name = NAMES[provider];
  const tol = input.tolerancePercent;
  const values = new Set(setup.ledgerValues.map((v) => v.toLowerCase()));
  const tracked = new Map<string, Money>();
  for (const t of ledger.totals) if (values.has(t.provider.toLowerCase())) add(tracked, normalizeTenantId(t.tenant), t.amount);

  // Allocate the bill's groups to tenants; what cannot be allocated is reported, never dropped.
  const actual = new Map<string, Money>();
  const unallocated = new Map<string, Money>();
  const unmappedProjects: string[] = [];
  const byTenant = provider === 'aws' || setup.projects !== undefined;
  const shared = setup.sharedValue ? normalizeTenantId(setup.sharedValue) : undefined;
  for (const [key, amount] of bill.groups) {
    if (provider === 'aws') {
      const tenant = normalizeTenantId(key);
      if (tenant === '') add(unallocated, 'untagged', amount);
      else if (tenant === shared && !tracked.has(tenant)) add(unallocated, `shared (tag value '${setup.sharedValue}', no ledger entry of that name)`, amount);
      else add(actual, tenant, amount);
    } else if (setup.projects) {
      const tenant = key ? setup.projects[key] : undefined;
      if (tenant) add(actual, normalizeTenantId(tenant), amount);
      else if (key === '') add(unallocated, 'no project', amount);
      else {
        add(unallocated, 'projects not in openai.projects', amount);
        if (amount !== 0n) unmappedProjects.push(key);
      }
    } else add(actual, '', amount);
  }

  const trackedTotal = sum(tracked.values());
  const actualTotal = sum(bill.groups.values());
  const unallocatedTotal = sum(unallocated.values());
  const variance = variancePercent(trackedTotal, actualTotal);
  const totalsOk = withinTolerance(trackedTotal, actualTotal, tol);
  const criteria: Criterion[] = [];
  const billNotes = [
    `bill: ${bill.source}`,
    ...bill.notes,
    ...(bill.estimated.length ? [`estimated by the provider (may still change): ${bill.estimated.join(', ')}`] : []),
    ...(bill.requests
      ? [
          `${plural(bill.requests.count, 'Cost Explorer request')} made, ${formatUsd(bill.requests.cost)} at $0.01 each${bill.requests.throttled ? ` (${bill.requests.throttled} throttled and retried)` : ''}`,
        ]
      : []),
    ...(bill.readCost ? [`${bill.readCost.summary}: ≈ $${formatDecimal(bill.readCost.cost, 6)}`] : []),
  ];
  const unallocatedPct = sharePercent(unallocatedTotal, actualTotal);
  const unallocatedNote =
    unallocatedTotal !== 0n
      ? `unallocated: ${formatUsd(unallocatedTotal)} (${unallocatedPct}% of the ${name} bill): ${[...unallocated].map(([k, m]) => `${k} ${formatUsd(m)}`).join('; ')}${
          unmappedProjects.length ? `; projects: ${listOffenders(unmappedProjects)}` : ''
        }`
      : undefined;

  const totalTitle = `${name} total within ±${formatPercent(tol)}`;
  if (actualTotal === 0n && trackedTotal === 0n) {
    criteria.push({
      id: `${provider}-total`,
      title: totalTitle,
      status: 'ERROR',
      summary: `${name}: no spend in the bill or the ledger for ${input.window.from}..${input.window.to}: nothing to reconcile`,
      evidence: billNotes,
      remediation:
        'Check the window and the filters (linked accounts, record types), and that the ledger records this provider under one of the configured provider values.',
    });
  } else {
    criteria.push({
      id: `${provider}-total`,
      title: totalTitle,
      status: totalsOk ? 'PASS' : 'FAIL',
      summary: `${name}: tracked ${formatUsd(trackedTotal)} vs billed ${formatUsd(actualTotal)} (${variance ?? 'billed nothing'}${variance ? '%' : ''})${
        totalsOk
          ? ''
          : `, outside ±${formatPercent(tol)}${unallocatedTotal !== 0n ? `; ${formatUsd(unallocatedTotal)} of the bill is not allocated to any tenant` : ''}${
              ledger.nullCosts?.count ? `; ledger: ${nullCostNote(ledger.nullCosts)}` : ''
            }`
      }`,
      measurements: [
        { name: `${provider}TrackedUsd`, value: toDollars(trackedTotal), unit: 'USD' },
        { name: `${provider}ActualUsd`, value: toDollars(actualTotal), unit: 'USD' },
        { name: `${provider}VariancePct`, value: variance === undefined ? null : Number(variance), unit: '%', threshold: `<= ±${formatPercent(tol)}` },
      ],
      evidence: [...billNotes, ...(unallocatedNote ? [unallocatedNote] : [])],
      ...(totalsOk
        ? {}
        : {
            remediation:
              unallocatedTotal !== 0n && provider === 'aws'
                ? `Tag every resource that serves tenants with ${setup.tagKey ?? 'the cost allocation tag'} (pooled ones with the shared value), and record every billed cost in the ledger.`
                : `Find the ${name} costs the app does not record (or records twice) and fix the metering that writes the ledger.`,
          }),
    });
  }

  const lines: CostLine[] = [{ tenant: '(total)', provider, tracked: trackedTotal, actual: actualTotal, status: 'total' }];
  const measurements: Measurement[] = [];
  if (bill.requests) {
    measurements.push({ name: 'costExplorerRequests', value: bill.requests.count, unit: 'requests' });
    measurements.push({ name: 'costExplorerCostUsd', value: toDollars(bill.requests.cost), unit: 'USD' });
  }
  if (bill.readCost) {
    measurements.push({ name: 'billReadCostUsd', value: toDollars(bill.readCost.cost), unit: 'USD' }, ...bill.readCost.measurements);
  }
  if (!byTenant) {
    criteria[0].evidence!.push('no project → tenant map (openai.projects): compared in total only');
    return { criteria, measurements, lines };
  }

  for (const [k, m] of unallocated) lines.push({ tenant: `(${k.split(' (')[0]})`, provider, tracked: 0n, actual: m, status: 'unallocated' });
  measurements.push({ name: `${provider}UnallocatedPct`, value: Number(unallocatedPct), unit: '%' });
  if (provider === 'aws' && actualTotal !== 0n) {
    const allocation = allocationCriterion(bill, sum(actual.values()), unallocated, setup);
    criteria.push(allocation);
    measurements.push(...(allocation.measurements ?? []));
  }
  const tenantsTitle = `${name} per tenant within ±${formatPercent(tol)} (tenants ≥ ${formatUsd(input.materiality)})`;
  if (actualTotal !== 0n && sum(actual.values()) === 0n && unallocatedTotal !== 0n) {
    const all =
      provider === 'aws'
        ? `all ${formatUsd(actualTotal)} of AWS spend in the window is untagged (no ${setup.tagKey ?? 'tenant'} tag value)`
        : `none of the ${formatUsd(actualTotal)} OpenAI spend is in a project mapped to a tenant`;
    criteria.push({
      id: `${provider}-tenants`,
      title: tenantsTitle,
      status: 'FAIL',
      summary: all,
      evidence: unallocatedNote ? [unallocatedNote] : [],
      remediation:
        provider === 'aws'
          ? `Activate '${setup.tagKey ?? 'tenant_id'}' as a user-defined cost allocation tag (Billing console → Cost allocation tags; it applies from activation on, allow 24 h), and tag tenant resources with it.`
          : 'Map every OpenAI project to its tenant under openai.projects (one project per tenant).',
    });
    return { criteria, measurements, lines };
  }

  const tenants = [...new Set([...tracked.keys(), ...actual.keys()])].sort();
  const outside: CostLine[] = [];
  const judged: CostLine[] = [];
  let below = 0;
  let belowTracked = 0n;
  let belowActual = 0n;
  for (const tenant of tenants) {
    const t = tracked.get(tenant) ?? 0n;
    const a = actual.get(tenant) ?? 0n;
    const material = abs(t) >= input.materiality || abs(a) >= input.materiality;
    let status: CostLine['status'];
    if (!material) {
      status = 'below-floor';
      below++;
      belowTracked += t;
      belowActual += a;
    } else status = withinTolerance(t, a, tol) ? 'ok' : 'outside';
    const line: CostLine = { tenant, provider, tracked: t, actual: a, status };
    lines.push(line);
    if (status === 'outside') outside.push(line);
    if (status !== 'below-floor') judged.push(line);
  }
  // Largest difference first, ties by tenant ID; each gap is computed once, not per comparison.
  const gaps = new Map(judged.map((l) => [l, abs(l.tracked - l.actual)]));
  const byGap = (a: CostLine, b: CostLine) => {
    const ga = gaps.get(a)!;
    const gb = gaps.get(b)!;
    return gb > ga ? 1 : gb < ga ? -1 : a.tenant < b.tenant ? -1 : a.tenant > b.tenant ? 1 : 0;
  };
  outside.sort(byGap);
  const describe = (l: CostLine) =>
    `${l.tenant} (tracked ${formatUsd(l.tracked)}, billed ${formatUsd(l.actual)}${l.actual !== 0n ? `, ${variancePercent(l.tracked, l.actual)}%` : ''})`;
  const worst = [...judged].sort(byGap).slice(0, 5);
  const evidence = [
    `${plural(judged.length, 'tenant')} judged, ${below} below the ${formatUsd(input.materiality)} floor (tracked ${formatUsd(belowTracked)}, billed ${formatUsd(belowActual)} together)`,
    ...(worst.length ? [`largest differences: ${worst.map(describe).join(', ')}`] : []),
    ...(unallocatedNote ? [unallocatedNote] : []),
    ...(outside.length > 10
      ? [
          `outside tolerance (all ${outside.length}, largest first): ${outside.slice(0, 100).map(describe).join(', ')}${outside.length > 100 ? ' … (see tenant_costs.csv)' : ''}`,
        ]
      : []),
  ];
  const ok = outside.length === 0;
  criteria.push({
    id: `${provider}-tenants`,
    title: tenantsTitle,
    status: judged.length === 0 ? 'ERROR' : ok ? 'PASS' : 'FAIL',
    summary:
      judged.length === 0 && below === 0
        ? `${name}: no tenant has spend in the ledger or the bill`
        : judged.length === 0
          ? `${name}: none of the ${plural(below, 'tenant')} reaches the ${formatUsd(input.materiality)} floor on either side, so per-tenant accuracy was not measured`
          : ok
            ? `${name}: all ${plural(judged.length, 'material tenant')} within ±${formatPercent(tol)}`
            : `${name}: ${outside.length} of ${plural(judged.length, 'tenant')} outside ±${formatPercent(tol)}: ${listOffenders(outside.map(describe), outside.length)}`,
    evidence,
    measurements: [{ name: `${provider}TenantsOutsideTolerance`, value: outside.length, unit: 'tenants', threshold: '0' }],
    ...(judged.length === 0 && below > 0
      ? { remediation: "Lower gates.cost.materialityUsd below the tenants' spend in the window, or widen the window." }
      : {}),
    ...(ok || judged.length === 0
      ? {}
      : {
          remediation: `For each tenant listed, compare the ledger entries with the bill (${provider === 'aws' ? 'resources tagged with that tenant' : "the tenant's project"}) and fix the metering.`,
        }),
  });
  measurements.push(...(criteria[criteria.length - 1].measurements ?? []));
  return { criteria, measurements, lines };
}

const CENT = 10n ** BigInt(SCALE_DIGITS - 2);

/**
 * Conservation: the tenant lines, shared and untagged spend add up, to the cent, to the bill's
 * total as its source computed it (Athena's grand-total row, the export reader's running sum; the
 * sum of the groups where the source gives no total of its own); and untagged spend stays under
 * the ceiling, so a bill that is mostly untagged cannot look healthy.
 */
function allocationCriterion(bill: ActualBill, tenants: Money, unallocated: Map<string, Money>, setup: ProviderSetup): Criterion {
  const untagged = unallocated.get('untagged') ?? 0n;
  const shared = sum(unallocated.values()) - untagged;
  const allocated = tenants + shared + untagged;
  const total = bill.total ?? sum(bill.groups.values());
  const ceiling = setup.maxUntaggedPercent ?? 20n * 10n ** BigInt(SCALE_DIGITS);
  const untaggedPct = sharePercent(untagged, total);
  const title = `AWS bill fully allocated (tenants + shared + untagged = total; untagged ≤ ${formatPercent(ceiling)})`;
  const equation = `tenants ${formatUsd(tenants)} + shared ${formatUsd(shared)} + untagged ${formatUsd(untagged)} = ${formatUsd(allocated)}`;
  const against =
    bill.total !== undefined
      ? `the source's own total ${formatUsd(total)}`
      : `${formatUsd(total)}, the sum of the source's groups (it gives no total of its own)`;
  const measurements = [{ name: 'awsUntaggedPct', value: Number(untaggedPct), unit: '%', threshold: `<= ${formatDecimal(ceiling, 2)}` }];
  if (divRound(allocated, CENT) !== divRound(total, CENT)) {
    return {
      id: 'aws-allocation',
      title,
      status: 'ERROR',
      summary: `AWS: the bill does not add up: ${equation}, but ${against}`,
      measurements,
      remediation:
        'The bill source lost or repeated line items while it was read (a page or file missing): run the check again; if it persists, compare the export or query with the billing console.',
    };
  }
  const ok = untagged * 100n * 10n ** BigInt(SCALE_DIGITS) <= ceiling * abs(total);
  return {
    id: 'aws-allocation',
    title,
    status: ok ? 'PASS' : 'FAIL',
    summary: `AWS: ${equation}, ${against}; untagged ${untaggedPct}%${ok ? '' : ` exceeds the ${formatPercent(ceiling)} ceiling`}`,
    measurements,
    ...(ok
      ? {}
      : {
          remediation: `Tag the resources behind the untagged spend with ${setup.tagKey ?? 'the cost allocation tag'} (pooled ones with the shared value), or raise gates.cost.aws.maxUntaggedPercent if that share is known and accepted.`,
        }),
  };
}

const csvField = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** A line as both artifacts print it: amounts to the cent, variance in percent (null for a zero bill). */
function printed(l: CostLine) {
  return {
    tenant_id: l.tenant,
    provider: l.provider,
    tracked_cost: formatDecimal(l.tracked, 2),
    actual_cost: formatDecimal(l.actual, 2),
    variance_pct: variancePercent(l.tracked, l.actual) ?? null,
    status: l.status,
  };
}

/** tenant_costs.csv: one line per tenant and provider, plus unallocated spend and totals. */
function csvArtifact(lines: ReturnType<typeof printed>[]): Artifact {
  const rows = lines.map((l) => [l.tenant_id, l.provider, l.tracked_cost, l.actual_cost, l.variance_pct ?? ''].map(csvField).join(','));
  return {
    name: 'tenant_costs.csv',
    contentType: 'text/csv',
    content: `${['tenant_id,provider,tracked_cost,actual_cost,variance_pct', ...rows].join('\n')}\n`,
  };
}

function jsonArtifact(lines: ReturnType<typeof printed>[], input: CostCheckInput): Artifact {
  const doc = {
    window: { from: input.window.from, to: input.window.to },
    tolerancePercent: formatDecimal(input.tolerancePercent, 2),
    materialityUsd: formatDecimal(input.materiality, 2),
    lines,
  };
  return { name: 'tenant_costs.json', contentType: 'application/json', content: `${JSON.stringify(doc, null, 2)}\n` };
}
