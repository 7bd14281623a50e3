/**
 * What the CDK app deploys for a readiness.yaml, decided at synth time without AWS: which gates,
 * the config slice each function receives, its schedule, and the exact AWS access its sources and
 * references require. Pure: no CDK types, so it is tested and reused directly. Nothing from the
 * synth environment reaches the template: values come from Secrets Manager or Parameter Store at
 * run time.
 */
import { readFileSync } from 'node:fs';
import { GATES } from '../lambda/catalog';
import { locateLine } from '../lambda/core/config/locate';
import type { LoadedConfig, ReadinessConfig, SourceConfig } from '../lambda/core/config/types';
import { ConfigError } from '../lambda/core/errors';
import type { GateCommon, GateId } from '../lambda/core/gate';
import { historyKey } from '../lambda/core/history';
import { SECRET_FIELD } from '../lambda/core/redact';
import { RUNTIME_REF } from '../lambda/core/references';
import { DEFAULT_TIMEOUT_SECONDS } from '../lambda/core/runner';
import { probeKeys, withoutProbes } from '../lambda/handlers/probes';

type GateConfig = GateCommon & Record<string, unknown>;

/** Per-gate defaults of the deployed stack. */
export interface GateDeploymentDefaults {
  /** Hours between scheduled runs. */
  scheduleHours: number;
  /** DynamoDB actions the gate needs on a dynamodb source it reads. */
  dynamoDbReadActions: string[];
  /** Why this schedule (shown in the README's deploy guide). */
  why: string;
}

export const GATE_DEFAULTS: Record<GateId, GateDeploymentDefaults> = {
  tenants: { scheduleHours: 1, dynamoDbReadActions: ['dynamodb:Scan'], why: 'tenant registry changes within the day' },
  cost: {
    scheduleHours: 24,
    dynamoDbReadActions: [],
    why: 'Cost Explorer refreshes its data about once a day and charges $0.01 per request',
  },
  config: {
    scheduleHours: 1,
    dynamoDbReadActions: ['dynamodb:Scan', 'dynamodb:DescribeTable', 'dynamodb:DescribeContinuousBackups'],
    why: 'a config schema change should be seen within the hour',
  },
  monitoring: { scheduleHours: 1, dynamoDbReadActions: [], why: 'a monitoring integration that stops should be seen within the hour' },
};

/** The AWS access one deployed gate needs; every entry names a concrete resource unless noted. */
export interface GateAccess {
  /** secretsmanager:GetSecretValue, one ARN each (a partial ARN gets the `-??????` suffix). */
  secretArns: string[];
  /** ssm:GetParameter, one parameter each: its name (without a version or label selector) or its ARN. */
  ssmParameters: string[];
  /** Reads of DynamoDB tables the gate's sources name. */
  dynamoDbReads: { table: string; region?: string; actions: string[] }[];
  /** Writes to canary items only: dynamodb:GetItem/UpdateItem with `dynamodb:LeadingKeys` = the canary ids. */
  canaryWrites: { table: string; region?: string; keys: string[] }[];
  /** ce:GetCostAndUsage (the API has no resource-level permissions: resource `*`). */
  costExplorer: boolean;
  /** sts:AssumeRole on these role ARNs. */
  assumeRoles: string[];
  /** cloudwatch:GetMetricData and DescribeAlarms, both on `*` (no resource-level permissions; composite alarms need `*`). */
  cloudWatchRead: { region?: string }[];
  /** s3:GetObject on these `bucket/key` objects. */
  s3Reads: { bucket: string; key: string }[];
  /** s3:GetObject under these prefixes and s3:ListBucket limited to them: an export's manifests and data files, an Athena table's data. */
  s3Prefixes?: { bucket: string; prefix: string }[];
  /** Athena queries: the query actions on the workgroup, the Glue catalog's database and table, and the result location (read and write). */
  athena?: { region?: string; workGroup: string; database: string; table: string; results?: { bucket: string; prefix: string } }[];
  /** A history table the gate itself reads and appends to (dynamodb:Query/PutItem), on these partitions only. */
  history?: { table: string; partitions: string[] };
  /** Publishes its results to Security Hub: securityhub:BatchImportFindings on the account's default product, GetFindings on its hub. */
  securityHub?: boolean;
}

export interface GatePlan {
  id: GateId;
  title: string;
  /** The deployed config slice (JSON): version, suite, this gate, and only the sources it names. */
  configJson: string;
  scheduleHours: number;
  /** Active probes in the gate's config (they run only on the opt-in probe schedule). */
  probeKeys: string[];
  /** Whether this deployment runs the probes (an opt-in probe schedule exists). */
  probesDeployed: boolean;
  /** The gate's own deadline; the function timeout is set above it. */
  timeoutSeconds: number;
  access: GateAccess;
  /** Threshold lines for the key measurement on the dashboard, where the gate has one. */
  threshold?: number;
}

export interface DeploymentPlan {
  suite: string;
  gates: GatePlan[];
  /** Things that deploy but deserve attention (printed by the app as synth warnings). */
  warnings: string[];
}

export interface PlanOptions {
  /** Name of the stack's history table (a token is fine): gates that keep history use it. */
  historyTable: string;
  /** Deploy the opt-in probe schedule: gates with active probes then run them on it. */
  probes?: boolean;
  /** Override the hours between scheduled runs per gate. */
  scheduleHours?: Partial<Record<GateId, number>>;
  /** Publish each gate's scheduled results to Security Hub (opt-in). */
  securityHub?: boolean;
}

/** Names the Lambda runtime sets itself: `${env:AWS_REGION}` is read there, nothing is copied. */
const RUNTIME_ENV = /^(AWS_|LAMBDA_|_)/;
/** Local paths the Lambda runtime has: its CA bundle and layers. */
const RUNTIME_PATH = /^\/(var\/runtime|opt)\//;
const SECRET_REF = /\$\{secret:([^}#]+)(?:#[^}]+)?\}/g;
const ENV_NAME = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?\}/g;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/;
const CREDENTIAL_FIELD = /(password|secret|token|key|credential|authorization|cookie|url|dsn|connection)/i;
const CREDENTIAL_PARAM = /[?&;][^=&#]*(password|passwd|pwd|secret|token|key|signature|sig|credential|auth)[^=&#]*=\$\{env:/i;
/** `user:password@` in anything URL-shaped, with or without the scheme's slashes. */
const URL_PASSWORD = /^[a-z][a-z0-9+.-]*:\/{0,3}[^\s/@:]*:[^\s@]+@/i;

/**
 * Plans the deployment of a validated config (loaded with `resolveEnv: false`). Throws a
 * ConfigError naming file, line and field for what cannot be deployed safely: any `${env:…}`
 * (its value would be copied into the template), a password in a URL, a local file the function
 * will not have.
 */
export function planDeployment(loaded: LoadedConfig, opts: PlanOptions): DeploymentPlan {
  const { config } = loaded;
  const text = loaded.file ? readFileSync(loaded.file, 'utf8') : '';
  const at = (path: (string | number)[]) => {
    const line = text ? locateLine(text, path) : undefined;
    return `${loaded.file ?? 'config'}${line ? `:${line}` : ''}: ${path.join('.')}`;
  };
  const warnings: string[] = [];
  const gates: GatePlan[] = [];
  for (const gate of GATES) {
    const own = config.gates[gate.id] as GateConfig | undefined;
    if (!own || own.enabled === false) continue;
    const probes = probeKeys(own);
    const probesDeployed = probes.length > 0 && Boolean(opts.probes);
    if (probes.length && !opts.probes) {
      warnings.push(
        `gates.${gate.id}: active probes (${probes.join(', ')}) are configured but will not run: scheduled runs leave them out; opt in with -c probeScheduleHours=24 (or the probeSchedule prop)`,
      );
    }
    const deployedGate = deployedGateConfig(gate.id, own, opts.historyTable, warnings);
    const sourceNames = referencedSources(deployedGate, config);
    for (const name of sourceNames) {
      const src = config.sources[name];
      if (src.type === 'athena' && (!src.dataLocation || !src.outputLocation)) {
        warnings.push(
          `sources.${name}: an athena source without ${!src.dataLocation ? 'dataLocation' : 'outputLocation'} gets no S3 grant for ${!src.dataLocation ? "the table's data (Athena reads it with the function's credentials)" : "the workgroup's result location"}; add it, or grant that access to the function yourself`,
        );
      }
    }
    const sources = Object.fromEntries(sourceNames.map((n) => [n, config.sources[n]]));
    const slice: ReadinessConfig = { version: 1, suite: config.suite, sources, gates: { [gate.id]: deployedGate } };

    const accessed = probesDeployed ? deployedGate : withoutProbes(deployedGate);
    const paths: [unknown, (string | number)[]][] = [
      [deployedGate, ['gates', gate.id]],
      ...sourceNames.map((n) => [config.sources[n], ['sources', n]] as [unknown, (string | number)[]]),
    ];
    refuseUndeployable(paths, at, warnings);
    gates.push({
      id: gate.id,
      title: gate.title,
      configJson: JSON.stringify(slice),
      scheduleHours: opts.scheduleHours?.[gate.id] ?? GATE_DEFAULTS[gate.id].scheduleHours,
      probeKeys: probes,
      probesDeployed,
      timeoutSeconds: own.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
      access: { ...accessOf(gate.id, accessed, config), ...(opts.securityHub ? { securityHub: true } : {}) },
      ...(gate.id === 'cost' ? { threshold: numberAt(own, /tolerance/i) ?? 5 } : {}),
    });
  }
  return { suite: config.suite, gates, warnings };
}

/** The gate's config as deployed: a gate that keeps history gets the stack's history table. */
function deployedGateConfig(id: GateId, own: GateConfig, historyTable: string, warnings: string[]): GateConfig {
  if (id !== 'config') return own;
  const history = (own.history ?? {}) as { file?: string; table?: string; region?: string };
  if (history.table) return own;
  if (history.file) warnings.push(`gates.config.history.file is replaced by the stack's history table: a Lambda function has no lasting disk`);
  return { ...own, history: { table: historyTable } };
}

/** Sources a gate names: every string in its config that is a source name. */
function referencedSources(gate: GateConfig, config: ReadinessConfig): string[] {
  const names = new Set<string>();
  walk(gate, [], (value) => {
    if (typeof value === 'string' && Object.hasOwn(config.sources, value)) names.add(value);
  });
  return [...names].sort();
}

function walk(node: unknown, path: (string | number)[], visit: (value: unknown, path: (string | number)[]) => void): void {
  visit(node, path);
  if (Array.isArray(node)) node.forEach((item, i) => walk(item, [...path, i], visit));
  else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, [...path, k], visit);
}

/**
 * Refuses what cannot be deployed without copying a value into the template, or at all: every
 * `${env:…}` (but the Lambda runtime's own AWS_… names, read where the function runs), a password
 * written into a URL, a local file. The message names the reference, never a value.
 */
function refuseUndeployable(roots: [unknown, (string | number)[]][], at: (path: (string | number)[]) => string, warnings: string[]): void {
  for (const [root, base] of roots) {
    walk(root, base, (value, path) => {
      if (typeof value !== 'string') return;
      const key = String(path[path.length - 1] ?? '');
      for (const m of value.matchAll(ENV_NAME)) {
        const name = m[1];
        if (RUNTIME_ENV.test(name)) {
          warnings.push(`${at(path)}: \${env:${name}} is resolved from the Lambda runtime's own environment`);
          continue;
        }
        const credential = SECRET_FIELD.test(key) || CREDENTIAL_FIELD.test(key) || CREDENTIAL_PARAM.test(value) || path.some((p) => p === 'headers');
        throw new ConfigError(
          `\${env:${name}} would be resolved at synth and copied into the CloudFormation template, tree.json and the function's environment. ` +
            (credential
              ? 'Store it in AWS Secrets Manager and write ${secret:arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME} (or ${secret:ARN#jsonKey}), or as a SecureString in Parameter Store and write ${ssm:/NAME}' +
                `${key === 'url' && base[0] === 'sources' ? '; for PostgreSQL use secretArn with an RDS-format secret' : ''}`
              : 'A deployed function reads values at run time: put it in Parameter Store and write ${ssm:/NAME} (also inside a value, e.g. a URL), or write the value itself') +
            ' instead',
          at(path),
        );
      }
      if (URL_PASSWORD.test(value)) {
        throw new ConfigError('the URL contains a password; store it in AWS Secrets Manager and use ${secret:ARN#key} or secretArn, or in Parameter Store with ${ssm:/NAME}, instead', at(path));
      }
      if (/(^path$|file$)/i.test(key) && !/^s3:\/\//.test(value) && !RUNTIME_PATH.test(value)) {
        throw new ConfigError(
          `'${value}' is a local file, which the deployed function does not have (it has only its bundle); use an s3:// location where the field allows one, or run this gate from the CLI`,
          at(path),
        );
      }
    });
  }
}

function numberAt(node: GateConfig, key: RegExp): number | undefined {
  const hit = Object.entries(node).find(([k, v]) => key.test(k) && typeof v === 'number');
  return hit ? (hit[1] as number) : undefined;
}

function stringsIn(node: unknown): { value: string; key: string }[] {
  const out: { value: string; key: string }[] = [];
  walk(node, [], (value, path) => {
    if (typeof value === 'string') out.push({ value, key: String(path[path.length - 1] ?? '') });
  });
  return out;
}

/** The access a gate's (deployed) config needs: from its sources' types and the references in it. */
export function accessOf(id: GateId, gate: GateConfig, config: ReadinessConfig): GateAccess {
  const access: GateAccess = {
    secretArns: [],
    ssmParameters: [],
    dynamoDbReads: [],
    canaryWrites: [],
    costExplorer: false,
    assumeRoles: [],
    cloudWatchRead: [],
    s3Reads: [],
  };
  const sources = referencedSources(gate, config).map((name) => ({ name, src: config.sources[name] as SourceConfig }));
  for (const { value, key } of [gate, ...sources.map((s) => s.src)].flatMap(stringsIn)) {
    for (const m of value.matchAll(SECRET_REF)) access.secretArns.push(m[1]);
    for (const m of value.matchAll(RUNTIME_REF)) if (m[0].startsWith('${ssm:')) access.ssmParameters.push(withoutSelector(m[0].slice(6, -1)));
    if (/rolearn$/i.test(key) && ROLE_ARN.test(value)) access.assumeRoles.push(value);
    const s3 = /^s3:\/\/([^/]+)\/(.+)$/.exec(value);
    if (s3) access.s3Reads.push({ bucket: s3[1], key: s3[2] });
  }
  for (const { src } of sources) {
    const region = typeof src.region === 'string' ? src.region : undefined;
    switch (src.type) {
      case 'postgres':
        if (typeof src.secretArn === 'string') access.secretArns.push(src.secretArn);
        break;
      case 'dynamodb': {
        const actions = GATE_DEFAULTS[id].dynamoDbReadActions;
        const table = String(src.table);
        if (actions.length) access.dynamoDbReads.push({ table, region, actions });
        const canary = canaryKeys(gate);
        if (canary.length && id === 'config') access.canaryWrites.push({ table, region, keys: canary });
        break;
      }
      case 'costexplorer':
        access.costExplorer = true;
        break;
      case 'cloudwatch':
        access.cloudWatchRead.push({ region });
        break;
      case 'dataexport':
        if (typeof src.bucket === 'string') {
          const prefix = typeof src.prefix === 'string' && src.prefix ? `${src.prefix}/` : '';
          (access.s3Prefixes ??= []).push({ bucket: src.bucket, prefix: `${prefix}${String(src.exportName)}/` });
        }
        break;
      case 'athena': {
        const location = (value: unknown) => (typeof value === 'string' ? /^s3:\/\/([^/]+)\/?(.*)$/.exec(value) : null);
        const data = location(src.dataLocation);
        if (data) (access.s3Prefixes ??= []).push({ bucket: data[1], prefix: data[2] });
        const out = location(src.outputLocation);
        const format = src.format === 'focus' ? 'focus' : 'cur2';
        (access.athena ??= []).push({
          region,
          workGroup: typeof src.workGroup === 'string' ? src.workGroup : 'primary',
          database: typeof src.database === 'string' ? src.database : 'cid_data_export',
          table: typeof src.table === 'string' ? src.table : format,
          ...(out ? { results: { bucket: out[1], prefix: out[2] } } : {}),
        });
        break;
      }
      default:
        break;
    }
  }
  const historyTable = (gate.history as { table?: unknown } | undefined)?.table;
  if (id === 'config' && typeof historyTable === 'string' && typeof gate.source === 'string') {
    access.history = { table: historyTable, partitions: [historyKey.schema(config.suite, gate.source), historyKey.probe(config.suite, gate.source)] };
  }
  access.secretArns = [...new Set(access.secretArns)].sort();
  access.ssmParameters = [...new Set(access.ssmParameters)].sort();
  access.assumeRoles = [...new Set(access.assumeRoles)].sort();
  return access;
}

/** A parameter name or ARN without its `:version` / `:label` selector (IAM names the parameter itself). */
function withoutSelector(parameter: string): string {
  const at = parameter.lastIndexOf('/');
  const colon = parameter.indexOf(':', at + 1);
  return colon === -1 ? parameter : parameter.slice(0, colon);
}

/** The canary tenant ids in a gate's config: `canary: id`, or `canary: { tenant | id | tenantId }`. */
function canaryKeys(gate: GateConfig): string[] {
  const keys: string[] = [];
  for (const [k, v] of Object.entries(gate)) {
    if (!/canary/i.test(k)) continue;
    if (typeof v === 'string') keys.push(v);
    else if (v && typeof v === 'object') {
      for (const field of ['tenant', 'tenantId', 'id']) {
        const id = (v as Record<string, unknown>)[field];
        if (typeof id === 'string') keys.push(id);
      }
    }
  }
  return keys;
}
