/**
 * What the CDK app deploys for a readiness.yaml, decided at synth time without AWS: which gates,
 * the config slice each function receives, its schedule, and the exact AWS access its sources and
 * references require. Pure: no CDK types, so it is tested and reused directly. Nothing from the
 * synth environment reaches the template: values come from Secrets Manager or Parameter Store at
 * run time.
 */
import { readFileSync } from 'node:fs';
import { locateLine } from '../lambda/core/config/locate';
import { resolveUse } from '../lambda/core/config/sources';
import type { LoadedConfig, ReadinessConfig, SourceConfig } from '../lambda/core/config/types';
import { ConfigError } from '../lambda/core/errors';
import type { GateCommon, GateDefinition, GateId, KeyMeasurement } from '../lambda/core/gate';
import { mergePermissions, readParameterPermission, readSecretPermission, type Permission } from '../lambda/core/permissions';
import { probeKeys, withoutProbes } from '../lambda/core/probes';
import { SECRET_FIELD } from '../lambda/core/redact';
import { RUNTIME_REF } from '../lambda/core/references';
import type { Registry } from '../lambda/core/registry';
import { DEFAULT_TIMEOUT_SECONDS } from '../lambda/core/runner';
import { BUILT_IN } from '../lambda/registry';

type GateConfig = GateCommon & Record<string, unknown>;

/** The modules a gate's function is bundled from: its gate's and those of the sources it opens. */
export interface GateBundle {
  /** Exports the gate as `gate`. */
  readonly gate: string;
  /** Each exports a source as `source`. */
  readonly sources: readonly string[];
}

export interface GatePlan {
  readonly id: GateId;
  readonly title: string;
  /** The deployed config slice (JSON): version, suite, this gate, and only the sources it names. */
  readonly configJson: string;
  readonly scheduleHours: number;
  /** Why this schedule, as the gate says. */
  readonly scheduleWhy: string;
  /** Active probes in the gate's config (they run only on the opt-in probe schedule). */
  readonly probeKeys: readonly string[];
  /** Whether this deployment runs the probes (an opt-in probe schedule exists). */
  readonly probesDeployed: boolean;
  /** The gate's own deadline; the function timeout is set above it. */
  readonly timeoutSeconds: number;
  /** The AWS access the gate's sources need for this config (what the gate itself reads). */
  readonly permissions: readonly Permission[];
  /** Publishes its scheduled results to Security Hub. */
  readonly securityHub: boolean;
  /** The measurement graphed on the dashboard. */
  readonly keyMeasurement: KeyMeasurement;
  /** Threshold lines for the key measurement on the dashboard, where the gate has one. */
  readonly threshold?: number;
  readonly bundle: GateBundle;
}

export interface DeploymentPlan {
  readonly suite: string;
  readonly gates: readonly GatePlan[];
  /** Things that deploy but deserve attention (printed by the app as synth warnings). */
  readonly warnings: readonly string[];
}

export interface PlanOptions {
  /** The gates and sources to deploy from. @default the built-in registry */
  readonly registry?: Registry;
  /** Name of the stack's history table (a token is fine): gates that keep history use it. */
  readonly historyTable: string;
  /** Deploy the opt-in probe schedule: gates with active probes then run them on it. @default false */
  readonly probes?: boolean;
  /** Override the hours between scheduled runs per gate. @default each gate's own */
  readonly scheduleHours?: Readonly<Partial<Record<GateId, number>>>;
  /** Publish each gate's scheduled results to Security Hub (opt-in). @default false */
  readonly securityHub?: boolean;
}

/** Names the Lambda runtime sets itself: `${env:AWS_REGION}` is read there, nothing is copied. */
const RUNTIME_ENV = /^(AWS_|LAMBDA_|_)/;
/** Local paths the Lambda runtime has: its CA bundle and layers. */
const RUNTIME_PATH = /^\/(var\/runtime|opt)\//;
const SECRET_REF = /\$\{secret:([^}#]+)(?:#[^}]+)?\}/g;
const ENV_NAME = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?\}/g;
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
  const registry = opts.registry ?? BUILT_IN;
  const { config } = loaded;
  const text = loaded.file ? readFileSync(loaded.file, 'utf8') : '';
  const at = (path: (string | number)[]) => {
    const line = text ? locateLine(text, path) : undefined;
    return `${loaded.file ?? 'config'}${line ? `:${line}` : ''}: ${path.join('.')}`;
  };
  const warnings: string[] = [];
  const gates: GatePlan[] = [];
  for (const gate of registry.gates) {
    const own = config.gates[gate.id] as GateConfig | undefined;
    if (!own || own.enabled === false) continue;
    const probes = probeKeys(gate, own);
    const probesDeployed = probes.length > 0 && Boolean(opts.probes);
    if (probes.length && !opts.probes) {
      warnings.push(
        `gates.${gate.id}: active probes (${probes.join(', ')}) are configured but will not run: scheduled runs leave them out; opt in with -c probeScheduleHours=24 (or the probeSchedule prop)`,
      );
    }
    const history = gate.deployment.history?.(own, opts.historyTable);
    if (history?.warning) warnings.push(history.warning);
    const deployedGate = (history?.config ?? own) as GateConfig;
    const sourceNames = namedSources(gate, deployedGate, config);
    const sources = Object.fromEntries(sourceNames.map((n) => [n, config.sources[n]]));
    const slice: ReadinessConfig = { version: 1, suite: config.suite, sources, gates: { [gate.id]: deployedGate } };

    const accessed = probesDeployed ? deployedGate : withoutProbes(gate, deployedGate);
    const paths: [unknown, (string | number)[]][] = [
      [deployedGate, ['gates', gate.id]],
      ...sourceNames.map((n) => [config.sources[n], ['sources', n]] as [unknown, (string | number)[]]),
    ];
    refuseUndeployable(paths, at, warnings);
    const { permissions, bundle, warnings: sourceWarnings } = accessOf(registry, gate, accessed, config);
    warnings.push(...sourceWarnings);
    gates.push({
      id: gate.id,
      title: gate.title,
      configJson: JSON.stringify(slice),
      scheduleHours: opts.scheduleHours?.[gate.id] ?? gate.deployment.scheduleHours,
      scheduleWhy: gate.deployment.why,
      probeKeys: probes,
      probesDeployed,
      timeoutSeconds: own.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
      permissions,
      securityHub: Boolean(opts.securityHub),
      keyMeasurement: gate.keyMeasurement,
      ...(gate.deployment.threshold?.(own) !== undefined ? { threshold: gate.deployment.threshold(own) } : {}),
      bundle,
    });
  }
  return { suite: config.suite, gates, warnings };
}

/** The sources under `sources:` a gate's config names for the ports it opens. */
function namedSources(gate: GateDefinition, own: GateConfig, config: ReadinessConfig): string[] {
  const names = gate
    .uses(own, { suite: config.suite })
    .flatMap((use) => (typeof use.source === 'string' && Object.hasOwn(config.sources, use.source) ? [use.source] : []));
  return [...new Set(names)].sort();
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
        throw new ConfigError(
          'the URL contains a password; store it in AWS Secrets Manager and use ${secret:ARN#key} or secretArn, or in Parameter Store with ${ssm:/NAME}, instead',
          at(path),
        );
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

function stringsIn(node: unknown): string[] {
  const out: string[] = [];
  walk(node, [], (value) => {
    if (typeof value === 'string') out.push(value);
  });
  return out;
}

/**
 * What a gate's (deployed) config needs: the permissions its sources declare for the ports it
 * opens, read access to every `${secret:…}` / `${ssm:…}` it or those sources reference, and the
 * modules its function is bundled from.
 */
export function accessOf(
  registry: Registry,
  gate: GateDefinition,
  own: GateConfig,
  config: ReadinessConfig,
): { permissions: Permission[]; bundle: GateBundle; warnings: string[] } {
  const permissions: Permission[] = [];
  const warnings: string[] = [];
  const used = new Map<string, SourceConfig>();
  const modules = new Set<string>();
  for (const use of gate.uses(own, { suite: config.suite })) {
    const resolved = resolveUse(registry, config, use, (field) => `gates.${gate.id}.${field}`);
    used.set(resolved.name ?? JSON.stringify(resolved.config), resolved.config);
    modules.add(resolved.definition.module);
    permissions.push(...(resolved.definition.permissions?.(resolved.config) ?? []), ...(resolved.opener.permissions?.(resolved.config, use.options) ?? []));
    warnings.push(...(resolved.definition.deployWarnings?.(resolved.config, resolved.name ?? resolved.config.type) ?? []));
  }
  const references = [own, ...used.values()].flatMap(stringsIn);
  const secrets = references.flatMap((v) => [...v.matchAll(SECRET_REF)].map((m) => m[1]));
  const parameters = references.flatMap((v) =>
    [...v.matchAll(RUNTIME_REF)].filter((m) => m[0].startsWith('${ssm:')).map((m) => withoutSelector(m[0].slice(6, -1))),
  );
  const references_ = [...new Set(secrets)]
    .sort()
    .map(readSecretPermission)
    .concat([...new Set(parameters)].sort().map(readParameterPermission));
  return {
    permissions: mergePermissions([...references_, ...permissions]),
    bundle: { gate: gate.module, sources: [...modules].sort() },
    warnings: [...new Set(warnings)],
  };
}

/** A parameter name or ARN without its `:version` / `:label` selector (IAM names the parameter itself). */
function withoutSelector(parameter: string): string {
  const at = parameter.lastIndexOf('/');
  const colon = parameter.indexOf(':', at + 1);
  return colon === -1 ? parameter : parameter.slice(0, colon);
}
