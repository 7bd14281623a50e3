/**
 * The rule pack's findings as a SARIF 2.1.0 log that GitHub code scanning accepts: rule metadata
 * with help and fix, each finding located where the user's CDK code created the construct (CDK
 * records the creation stack) or else in the synthesized template, stable partialFingerprints,
 * and acknowledgements as suppressions with their reasons. The rules each field follows are in
 * docs/contracts/sarif.md.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { CfnResource, Stack, Stage, type PolicyValidationPluginReport } from 'aws-cdk-lib';
import { NagMessageLevel } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { redactDeep } from '../../lambda/core/redact';
import { acknowledgementReason } from './acknowledgements';
// pack.ts imports this module too; the class is used only inside functions, after both have loaded.
import { SaaSReadinessChecks } from './pack';
import type { ReadinessRule, ReadinessRuleInfo } from './rule';
import type { SaaSReadinessProps } from './settings';

/** Context key (`cdk synth -c saas-readiness:sarif=readiness.sarif`) that makes the plugin write SARIF. */
export const SARIF_CONTEXT_KEY = 'saas-readiness:sarif';
export const SARIF_SCHEMA_URI = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
/** GitHub code scanning rejects a run with more results than this. */
export const MAX_RESULTS_PER_RUN = 25_000;
/** The partialFingerprints key; its version changes only if the fingerprint's inputs change. */
export const FINGERPRINT_KEY = 'saasReadinessFinding/v1';

const TOOL_NAME = 'saas-readiness';

export interface SarifOptions {
  /** Paths in the log are relative to this directory (the repository root). Default `GITHUB_WORKSPACE`, else the working directory. */
  sourceRoot?: string;
  /** The tool version written into the log. */
  version?: string;
}

/** A finding to write: open, or silenced by an acknowledgement with a reason. */
interface LoggedFinding {
  ruleId: string;
  rule: ReadinessRuleInfo;
  node: IConstruct;
  suppression?: string;
}

// The SARIF objects this module writes (a subset of the 2.1.0 schema).
interface SarifLocation {
  physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region: { startLine: number; startColumn?: number } };
  logicalLocations: { fullyQualifiedName: string; kind: string }[];
}
export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: {
    tool: { driver: { name: string; version?: string; informationUri?: string; rules: object[] } };
    originalUriBaseIds: Record<string, { uri: string }>;
    invocations: { executionSuccessful: boolean; toolExecutionNotifications?: { level: string; message: { text: string } }[] }[];
    results: {
      ruleId: string;
      ruleIndex: number;
      level: 'error' | 'warning';
      message: { text: string };
      locations: SarifLocation[];
      partialFingerprints: Record<string, string>;
      suppressions?: { kind: 'inSource'; status: 'accepted'; justification: string }[];
      properties: { constructPath: string; finding: string };
    }[];
  }[];
}

const baseRuleId = (id: string) => id.replace(/\[.*\]$/, '');
const levelOf = (rule: ReadinessRuleInfo): 'error' | 'warning' => (rule.level === NagMessageLevel.WARN ? 'warning' : 'error');

function ruleDescriptor(rule: ReadinessRuleInfo, gate: string | undefined): object {
  const id = `SaaSR-${rule.id}`;
  return {
    id,
    name: rule.id.replace(/^G\d-/, ''),
    shortDescription: { text: rule.info },
    fullDescription: { text: rule.explanation },
    help: {
      text: `${rule.explanation}\n\nFix: ${rule.fix}`,
      markdown: `${rule.explanation}\n\n**Fix:** ${rule.fix}\n\nAcknowledge a deliberate exception in the CDK code: \`Validations.of(construct).acknowledge({ id: '${id}', reason: '…' })\`.`,
    },
    defaultConfiguration: { level: levelOf(rule) },
    properties: { tags: ['saas-readiness', ...(gate ? [`gate:${gate}`] : [])], precision: 'very-high', 'problem.severity': levelOf(rule) },
  };
}

/** The first frame of CDK's creation stack that is the user's own code (not a package, not Node). */
function creationSite(node: IConstruct, root: string): { uri: string; line: number; column: number } | undefined {
  const entry = node.node.metadata.find((m) => m.type === 'aws:cdk:creationStack');
  const frames = Array.isArray(entry?.data) ? (entry!.data as string[]) : [];
  for (const frame of frames) {
    const m = /\(?((?:[A-Za-z]:)?[^():]+):(\d+):(\d+)\)?$/.exec(frame.trim());
    if (!m || !isAbsolute(m[1]) || m[1].includes(`${sep}node_modules${sep}`)) continue;
    const rel = relative(root, m[1]);
    if (rel.startsWith('..') || isAbsolute(rel)) continue;
    return { uri: rel.split(sep).join('/'), line: Number(m[2]), column: Number(m[3]) };
  }
  return undefined;
}

/** The synthesized template of the construct's stack, and the line of its resource in it. */
function templateSite(node: IConstruct, root: string, templatePaths: readonly string[]): { uri: string; line: number } {
  const stack = Stack.of(node);
  const outdir = Stage.of(stack)?.outdir ?? '';
  const file = templatePaths.find((p) => p.endsWith(`${sep}${stack.templateFile}`)) ?? join(outdir, stack.templateFile);
  const logicalId = node instanceof CfnResource ? stack.resolve(node.logicalId) : undefined;
  let line = 1;
  if (logicalId && existsSync(file)) {
    const index = readFileSync(file, 'utf8')
      .split('\n')
      .findIndex((l) => l.trimStart().startsWith(`"${logicalId}": {`));
    if (index >= 0) line = index + 1;
  }
  const rel = relative(root, resolve(file));
  // An assembly outside the repository (a temporary directory) is named where `cdk synth` writes it by default.
  return { uri: rel.startsWith('..') || isAbsolute(rel) ? `cdk.out/${stack.templateFile}` : rel.split(sep).join('/'), line };
}

function fingerprint(ruleId: string, path: string): string {
  return createHash('sha256').update(`${ruleId}\u0000${path}`).digest('hex');
}

function buildLog(rules: readonly ReadinessRule[], findings: LoggedFinding[], templatePaths: readonly string[], opts: SarifOptions): SarifLog {
  const root = resolve(opts.sourceRoot ?? process.env.GITHUB_WORKSPACE ?? process.cwd());
  const infos: ReadinessRuleInfo[] = [...rules, acknowledgementReason];
  const descriptors = infos.map((r) => ruleDescriptor(r, (r as Partial<ReadinessRule>).gate));
  const index = new Map(infos.map((r, i) => [`SaaSR-${r.id}`, i]));
  const sorted = [...findings].sort((a, b) => a.ruleId.localeCompare(b.ruleId) || a.node.node.path.localeCompare(b.node.node.path));
  const kept = sorted.slice(0, MAX_RESULTS_PER_RUN);
  const results = kept.map((f) => {
    const path = f.node.node.path;
    const site = creationSite(f.node, root);
    const where = site ?? templateSite(f.node, root, templatePaths);
    const qualifier = /\[(.*)\]$/.exec(f.ruleId)?.[1];
    return {
      ruleId: baseRuleId(f.ruleId),
      ruleIndex: index.get(baseRuleId(f.ruleId)) ?? -1,
      level: levelOf(f.rule),
      message: { text: `${f.rule.info}${qualifier ? ` (${qualifier})` : ''} Construct: ${path}. Fix: ${f.rule.fix}` },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: where.uri, uriBaseId: 'SRCROOT' },
            region: site ? { startLine: site.line, startColumn: site.column } : { startLine: where.line },
          },
          logicalLocations: [{ fullyQualifiedName: path, kind: 'resource' }],
        },
      ],
      partialFingerprints: { [FINGERPRINT_KEY]: fingerprint(f.ruleId, path) },
      ...(f.suppression !== undefined ? { suppressions: [{ kind: 'inSource' as const, status: 'accepted' as const, justification: f.suppression }] } : {}),
      properties: { constructPath: path, finding: f.ruleId },
    };
  });
  const dropped = sorted.length - kept.length;
  return redactDeep<SarifLog>({
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: TOOL_NAME, ...(opts.version ? { version: opts.version } : {}), rules: descriptors } },
        originalUriBaseIds: { SRCROOT: { uri: `${pathToUri(root)}/` } },
        invocations: [
          {
            executionSuccessful: true,
            ...(dropped > 0
              ? {
                  toolExecutionNotifications: [
                    {
                      level: 'warning',
                      message: { text: `${dropped} finding(s) left out: code scanning accepts at most ${MAX_RESULTS_PER_RUN} results per run.` },
                    },
                  ],
                }
              : {}),
          },
        ],
        results,
      },
    ],
  });
}

function pathToUri(path: string): string {
  return `file://${path.split(sep).map(encodeURIComponent).join('/').replace(/^%3A/, ':')}`;
}

/** Every construct under `root`, by path (the plugin's report names constructs by path only). */
function constructsByPath(root: IConstruct): Map<string, IConstruct> {
  return new Map(root.node.findAll().map((c) => [c.node.path, c]));
}

function loggedFindings(pack: SaaSReadinessChecks, report: PolicyValidationPluginReport, root: IConstruct): LoggedFinding[] {
  const byPath = constructsByPath(root);
  const infos = new Map([...pack.rules, acknowledgementReason].map((r) => [`SaaSR-${r.id}`, r as ReadinessRuleInfo]));
  const open = report.violations.flatMap((v) =>
    v.violatingResources.map((r) => ({ ruleId: v.ruleName, rule: infos.get(baseRuleId(v.ruleName))!, node: byPath.get(r.constructPath ?? '')! })),
  );
  const acknowledged = pack.acknowledged.map((a) => ({ ruleId: a.ruleId, rule: a.rule, node: a.node as IConstruct, suppression: a.reason }));
  return [...open.filter((f) => f.rule && f.node), ...acknowledged];
}

/**
 * Runs the pack over `scope` (synthesizing its app first, as {@link readinessFindings} does) and
 * returns the SARIF log: open findings as results, acknowledged ones as suppressed results.
 */
export function readinessSarif(scope: IConstruct, props?: SaaSReadinessProps, opts: SarifOptions = {}): SarifLog {
  const root = scope.node.root;
  if (Stage.isStage(root)) root.synth();
  const pack = new SaaSReadinessChecks(undefined, props);
  const report = pack.validateScope(scope);
  return buildLog(pack.rules, loggedFindings(pack, report, root), [], opts);
}

/** Called by the plugin after a validation during synth: writes the log to `file` (relative to the working directory). */
export function writeSarifFromPack(
  pack: SaaSReadinessChecks,
  report: PolicyValidationPluginReport,
  app: IConstruct,
  templatePaths: readonly string[],
  file: string,
): void {
  const log = buildLog(pack.rules, loggedFindings(pack, report, app), templatePaths, {});
  const target = resolve(file);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, `${JSON.stringify(log, null, 2)}\n`);
}
