/**
 * Publishes gate results to AWS Security Hub as findings in the AWS Security Finding Format:
 * one finding per gate and one per criterion that did not pass, with stable ids so each run
 * updates the same findings instead of adding new ones, and findings that pass again archived.
 * The ASFF fields and the BatchImportFindings limits it follows are in
 * docs/contracts/security-hub.md.
 */
import {
  BatchImportFindingsCommand,
  GetFindingsCommand,
  type AwsSecurityFinding,
  type ComplianceStatus,
  type SecurityHubClient,
  type SeverityLabel,
} from '@aws-sdk/client-securityhub';
import { redact } from '../core/redact';
import type { ResultSink } from './sink';
import type { CheckResult, Criterion, Status } from '../core/result';

export const ASFF_SCHEMA_VERSION = '2018-10-08';
/** BatchImportFindings accepts at most this many findings per request… */
export const MAX_FINDINGS_PER_BATCH = 100;
/** …each of at most 240 KB… */
export const MAX_FINDING_BYTES = 240 * 1024;
/** …and at most 6 MB per request. */
export const MAX_BATCH_BYTES = 6 * 1024 * 1024;

const TITLE_MAX = 256;
const DESCRIPTION_MAX = 1024;
const RECOMMENDATION_MAX = 512;

export const COMPLIANCE: Record<Status, ComplianceStatus> = { PASS: 'PASSED', FAIL: 'FAILED', SKIP: 'WARNING', ERROR: 'NOT_AVAILABLE' };
const SEVERITY: Record<Status, SeverityLabel> = { PASS: 'INFORMATIONAL', SKIP: 'LOW', ERROR: 'MEDIUM', FAIL: 'HIGH' };

export interface SecurityHubTarget {
  accountId: string;
  region: string;
  /** `aws`, `aws-cn`, `aws-us-gov`. Default `aws`. */
  partition?: string;
}

/** The product ARN Security Hub assigns to an account's own (custom) findings. */
export function defaultProductArn(t: SecurityHubTarget): string {
  return `arn:${t.partition ?? 'aws'}:securityhub:${t.region}:${t.accountId}:product/${t.accountId}/default`;
}

/** Every finding of one gate carries this generator id, so one query finds them all. */
export const generatorId = (suite: string, gate: string) => `saas-readiness/${suite}/${gate}`;
const gateFindingId = (suite: string, gate: string) => `saas-readiness/${suite}/${gate}`;
const criterionFindingId = (suite: string, gate: string, criterion: string) => `saas-readiness/${suite}/${gate}/${criterion}`;

/** Redacted first, then cut to the documented length. */
function cut(text: string, max: number): string {
  const s = redact(text);
  const chars = [...s];
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join('')}…`;
}

interface Existing {
  createdAt?: string;
  active: boolean;
}

function finding(
  base: { id: string; suite: string; gate: string; productArn: string; target: SecurityHubTarget; now: string; createdAt?: string },
  what: { title: string; status: Status; summary: string; evidence: string[]; remediation?: string; archived: boolean },
): AwsSecurityFinding {
  const description = [what.summary, ...what.evidence].join('\n');
  return {
    SchemaVersion: ASFF_SCHEMA_VERSION,
    Id: base.id,
    ProductArn: base.productArn,
    GeneratorId: generatorId(base.suite, base.gate),
    AwsAccountId: base.target.accountId,
    Types: [`Software and Configuration Checks/SaaS Readiness/${base.gate}`],
    CreatedAt: base.createdAt ?? base.now,
    UpdatedAt: base.now,
    Severity: { Label: SEVERITY[what.status] },
    Title: cut(what.title, TITLE_MAX),
    Description: cut(description || what.status, DESCRIPTION_MAX),
    ...(what.remediation ? { Remediation: { Recommendation: { Text: cut(what.remediation, RECOMMENDATION_MAX) } } } : {}),
    ProductName: 'saas-readiness',
    CompanyName: 'saas-readiness',
    ProductFields: { 'saas-readiness/suite': base.suite, 'saas-readiness/gate': base.gate, 'saas-readiness/status': what.status },
    Resources: [
      { Type: 'Other', Id: `saas-readiness/${base.suite}/${base.gate}`, Partition: (base.target.partition ?? 'aws') as 'aws', Region: base.target.region },
    ],
    Compliance: { Status: COMPLIANCE[what.status] },
    RecordState: what.archived ? 'ARCHIVED' : 'ACTIVE',
  };
}

/**
 * The findings for one gate result, given the gate's findings already in Security Hub:
 * the gate's own finding (archived when the gate passes), one active finding per criterion that
 * did not pass, and an archived update for each criterion finding that is active but passes now
 * (or is no longer evaluated).
 */
export function gateFindings(
  result: CheckResult,
  suite: string,
  target: SecurityHubTarget,
  existing: ReadonlyMap<string, Existing>,
  now: Date,
): AwsSecurityFinding[] {
  const productArn = defaultProductArn(target);
  const at = now.toISOString();
  const base = (id: string) => ({ id, suite, gate: result.gate, productArn, target, now: at, createdAt: existing.get(id)?.createdAt });
  const passed = result.status === 'PASS';
  const out: AwsSecurityFinding[] = [
    finding(base(gateFindingId(suite, result.gate)), {
      title: `saas-readiness ${suite}: ${result.title} (${result.gate}) ${result.status}`,
      status: result.status,
      summary: result.summary,
      evidence: result.evidence,
      remediation: result.remediation,
      archived: passed,
    }),
  ];
  const current = new Set<string>();
  for (const c of result.criteria.filter((x: Criterion) => x.status !== 'PASS')) {
    const id = criterionFindingId(suite, result.gate, c.id);
    current.add(id);
    out.push(
      finding(base(id), {
        title: `saas-readiness ${suite}: ${result.gate} › ${c.title} ${c.status}`,
        status: c.status,
        summary: c.summary,
        evidence: c.evidence ?? [],
        remediation: c.remediation,
        archived: passed,
      }),
    );
  }
  const gateId = gateFindingId(suite, result.gate);
  for (const [id, state] of existing) {
    if (id === gateId || current.has(id) || !state.active) continue;
    const criterion = result.criteria.find((c) => criterionFindingId(suite, result.gate, c.id) === id);
    out.push(
      finding(base(id), {
        title: `saas-readiness ${suite}: ${result.gate} › ${criterion?.title ?? id.slice(gateId.length + 1)} ${criterion ? criterion.status : 'no longer evaluated'}`,
        status: criterion?.status ?? result.status,
        summary: criterion?.summary ?? `The criterion is no longer evaluated by gate ${result.gate} (now ${result.status}: ${result.summary}).`,
        evidence: [],
        archived: true,
      }),
    );
  }
  return out;
}

/** Splits findings into requests within the documented limits; a finding over 240 KB is an error naming it. */
export function batchesOf(findings: readonly AwsSecurityFinding[]): AwsSecurityFinding[][] {
  const batches: AwsSecurityFinding[][] = [];
  let batch: AwsSecurityFinding[] = [];
  let bytes = 0;
  for (const f of findings) {
    const size = Buffer.byteLength(JSON.stringify(f));
    if (size > MAX_FINDING_BYTES)
      throw new Error(`Security Hub finding ${f.Id} is ${Math.ceil(size / 1024)} KB; BatchImportFindings accepts at most 240 KB per finding`);
    if (batch.length === MAX_FINDINGS_PER_BATCH || bytes + size > MAX_BATCH_BYTES) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(f);
    bytes += size;
  }
  if (batch.length) batches.push(batch);
  return batches;
}

/** The gate's findings in Security Hub (any record state), by id. */
async function existingFindings(client: SecurityHubClient, productArn: string, suite: string, gate: string): Promise<Map<string, Existing>> {
  const out = new Map<string, Existing>();
  let NextToken: string | undefined;
  do {
    const page = await client.send(
      new GetFindingsCommand({
        Filters: { ProductArn: [{ Value: productArn, Comparison: 'EQUALS' }], GeneratorId: [{ Value: generatorId(suite, gate), Comparison: 'EQUALS' }] },
        MaxResults: 100,
        NextToken,
      }),
    );
    for (const f of page.Findings ?? []) if (f.Id) out.set(f.Id, { createdAt: f.CreatedAt, active: f.RecordState !== 'ARCHIVED' });
    NextToken = page.NextToken || undefined;
  } while (NextToken);
  return out;
}

export interface PublishSummary {
  /** Findings sent (created or updated). */
  imported: number;
  /** Of those, sent as archived. */
  archived: number;
  requests: number;
}

/**
 * Publishes each result's findings. Throws when Security Hub rejects a request or any finding
 * (naming the finding and Security Hub's reason), so a failed publication is never silent.
 */
export async function publishToSecurityHub(
  client: SecurityHubClient,
  suite: string,
  results: readonly CheckResult[],
  target: SecurityHubTarget,
  now = new Date(),
): Promise<PublishSummary> {
  const productArn = defaultProductArn(target);
  const findings: AwsSecurityFinding[] = [];
  for (const r of results) findings.push(...gateFindings(r, suite, target, await existingFindings(client, productArn, suite, r.gate), now));
  const batches = batchesOf(findings);
  const failed: string[] = [];
  for (const batch of batches) {
    const res = await client.send(new BatchImportFindingsCommand({ Findings: batch }));
    for (const f of res.FailedFindings ?? []) failed.push(`${f.Id}: ${f.ErrorCode} ${f.ErrorMessage ?? ''}`.trim());
  }
  if (failed.length) throw new Error(`Security Hub rejected ${failed.length} of ${findings.length} finding(s): ${failed.slice(0, 5).join('; ')}`);
  return { imported: findings.length, archived: findings.filter((f) => f.RecordState === 'ARCHIVED').length, requests: batches.length };
}

/** Scheduled results as Security Hub findings in the function's own account and region (from its ARN). */
export function securityHubSink(client: SecurityHubClient): ResultSink {
  return {
    name: 'security-hub',
    async publish({ suite, result, run, functionArn }) {
      if (run !== 'scheduled') return;
      const [, partition, , region, accountId] = functionArn.split(':');
      await publishToSecurityHub(client, suite, [result], { accountId, region, partition });
    },
  };
}
