import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ErrorObject } from 'ajv';
import { ConfigError } from '../errors';
import { InputFileError, readTextFile } from '../files';
import type { GateCommon } from '../gate';
import { excerpt, SECRET_FIELD } from '../redact';
import type { Registry } from '../registry';
import { applyDefaults } from './defaults';
import { checkReferenceSyntax, hasEnvRef, resolveEnvRefs } from './env';
import { locateLine } from './locate';
import { buildConfigSchema } from './schema';
import { configValidator } from './validator';
import { refuseForeignOptions, resolveUse } from './sources';
import type { LoadedConfig, ReadinessConfig } from './types';
import { parseYamlDocument, YAML_BUDGET } from './yaml';

export const DEFAULT_CONFIG_FILE = 'readiness.yaml';

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /**
   * Resolve `${env:…}` now (CLI). The CDK app keeps references to decide what may be deployed
   * (`false`): the config is returned with its references, and validated as the references will
   * resolve where `env` knows them (the rest as written).
   */
  resolveEnv?: boolean;
}

/** The schema of readiness.yaml for the registered gates and sources, as validated and as published in schema/. */
export function configSchema(registry: Registry) {
  return buildConfigSchema(registry);
}

/**
 * Finds the config to use: the file named on the command line, else ./readiness.yaml, else the
 * zero-config default built from environment variables (as the original notebook did).
 */
export function resolveConfig(registry: Registry, file: string | undefined, cwd: string, opts: LoadOptions = {}): LoadedConfig {
  if (file) return loadConfigFile(registry, resolve(cwd, file), opts);
  const candidate = resolve(cwd, DEFAULT_CONFIG_FILE);
  if (existsSync(candidate)) return loadConfigFile(registry, candidate, opts);
  return configFromEnvironment(registry, opts.env ?? process.env);
}

/** Reads a config file: a regular UTF-8 text file of at most {@link YAML_BUDGET}.maxBytes, never a device or a pipe. */
export function loadConfigFile(registry: Registry, file: string, opts: LoadOptions = {}): LoadedConfig {
  let text: string;
  try {
    text = readTextFile(file, YAML_BUDGET.maxBytes);
  } catch (err) {
    if (!(err instanceof InputFileError)) throw err;
    throw new ConfigError(`${err.message}${err.code === 'ENOENT' ? ' (create one with `saas-readiness init`)' : ''}`, file);
  }
  return parseConfig(registry, text, file, opts);
}

/** Parses and validates config text; every problem is a ConfigError naming file, field and line. */
export function parseConfig(registry: Registry, text: string, file: string, opts: LoadOptions = {}): LoadedConfig {
  if (text.split(/\r?\n/).every((line) => line.trim() === '' || line.trim().startsWith('#'))) {
    throw new ConfigError('the file is empty (create a starter with `saas-readiness init`)', file);
  }
  const doc = parseYamlDocument(text, file);
  if (doc === undefined || doc === null) {
    throw new ConfigError('the file is empty (create a starter with `saas-readiness init`)', file);
  }
  checkReferenceSyntax(doc, (p) => where(file, text, p));
  // Env references are resolved first so that the values actually used are what gets validated.
  const resolved = opts.resolveEnv === false ? doc : resolveEnvRefs(doc, opts.env ?? process.env, (p) => where(file, text, p));
  const checked = opts.resolveEnv === false && opts.env ? asItWillResolve(doc, opts.env) : resolved;
  const check = configValidator(registry);
  if (!check(checked)) {
    const errors = check.errors ?? [];
    const forms = describeForms(errors, checked, registry);
    if (forms) throw new ConfigError(forms.message, where(file, text, forms.path));
    const error = mostSpecific(errors);
    const path = pathOf(error);
    throw new ConfigError(describeSchemaError(error, checked, registry), where(file, text, path));
  }
  const config = resolved as ReadinessConfig;
  config.sources ??= {};
  config.gates ??= {};
  // Checked as completed (defaults in), as the gates will read it.
  prepareGates(registry, config);
  checkGates(registry, config, (p) => where(file, text, p));
  return { config, file, skipped: {} };
}

/** A copy with each `${env:…}` replaced where `env` resolves it; strings it cannot resolve stay as written. */
function asItWillResolve(node: unknown, env: NodeJS.ProcessEnv): unknown {
  if (typeof node === 'string') {
    if (!hasEnvRef(node)) return node;
    try {
      return resolveEnvRefs(node, env, () => '');
    } catch {
      return node;
    }
  }
  if (Array.isArray(node)) return node.map((item) => asItWillResolve(item, env));
  if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, asItWillResolve(v, env)]));
  return node;
}

/** The zero-config default: each gate configures itself from env vars or says what to set. */
export function configFromEnvironment(registry: Registry, env: NodeJS.ProcessEnv): LoadedConfig {
  const config: ReadinessConfig = { version: 1, suite: env.SAAS_READINESS_SUITE || 'default', sources: {}, gates: {} };
  const skipped: LoadedConfig['skipped'] = {};
  const envVars: Record<string, string> = {};
  for (const gate of registry.gates) {
    const fromEnv = gate.fromEnvironment(env);
    if ('skip' in fromEnv) {
      skipped[gate.id] = fromEnv.skip;
      continue;
    }
    config.gates[gate.id] = fromEnv.gate;
    Object.assign(config.sources, fromEnv.sources ?? {});
    Object.assign(envVars, fromEnv.envVars ?? {});
  }
  // The same schema as a readiness.yaml: a value the file would refuse (exit 2) is refused here too,
  // named by the variable it came from.
  const check = configValidator(registry);
  if (!check(config)) {
    const errors = check.errors ?? [];
    const error = mostSpecific(errors);
    const path = pathOf(error);
    const name = envVars[path.join('.')];
    const shown = name ? `${name}=${excerpt(String(valueAt(config, path)), 60)}` : path.join('.');
    throw new ConfigError(
      `${shown}: ${describeSchemaError(error, config, registry).replace(/ \(got [^)]*\)/, '')}`,
      'zero-config (no readiness.yaml; built from environment variables)',
    );
  }
  return { config: prepareGates(registry, config), skipped };
}

function where(file: string, text: string, path: (string | number)[]): string {
  const line = locateLine(text, path);
  const field = path.length ? path.join('.') : '(top level)';
  return `${file}${line ? `:${line}` : ''}: ${field}`;
}

const enabled = (registry: Registry, config: ReadinessConfig) =>
  registry.gates.flatMap((gate) => {
    const own = config.gates[gate.id];
    return own && own.enabled !== false ? [{ gate, own }] : [];
  });

/**
 * What a schema cannot say about each enabled gate: its own checks, and for every port it opens,
 * that the named source exists and opens it, with no setting meant for another source type.
 */
function checkGates(registry: Registry, config: ReadinessConfig, at: (p: (string | number)[]) => string): void {
  for (const { gate, own } of enabled(registry, config)) {
    const atGate = (field: string) => at(['gates', gate.id, ...field.split('.')]);
    gate.validate?.(own, atGate);
    for (const use of gate.uses(own, { suite: config.suite })) {
      const resolved = resolveUse(registry, config, use, atGate);
      refuseForeignOptions(registry, use, resolved, atGate);
      const atOptions = (field: string) => atGate(use.optionsAt ? `${use.optionsAt}.${field}` : field);
      resolved.opener.validate?.(resolved.config, use.options, atOptions, resolved.name ?? resolved.definition.type);
    }
  }
}

/**
 * Completes every gate's config once, where it is loaded: values it shares with another gate
 * (resolved before a deployed function gets its slice, so that the CLI and the function see the
 * same), then the defaults of its schema and of the sources it opens. Changes `config` in place.
 */
export function prepareGates(registry: Registry, config: ReadinessConfig): ReadinessConfig {
  for (const { gate, own } of enabled(registry, config)) {
    const resolved = gate.resolve ? gate.resolve(own, config) : own;
    applyDefaults(registry.gateSchema(gate), resolved);
    for (const use of gate.uses(resolved, { suite: config.suite })) {
      const options = use.optionsAt === undefined ? undefined : use.optionsAt === '' ? resolved : objectAt(resolved, use.optionsAt);
      const source = typeof use.source === 'string' ? config.sources[use.source] : use.source;
      const opener = source && registry.source(source.type)?.opens.find((o) => o.port.id === use.port.id);
      if (options && opener?.optionsSchema) applyDefaults(opener.optionsSchema, options);
    }
    config.gates[gate.id] = resolved;
  }
  return config;
}

function objectAt(node: GateCommon, path: string): unknown {
  return path.split('.').reduce<unknown>((n, key) => (n && typeof n === 'object' ? (n as Record<string, unknown>)[key] : undefined), node);
}

function pathOf(error: ErrorObject): (string | number)[] {
  const parts = error.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  if (error.keyword === 'additionalProperties') parts.push(String(error.params.additionalProperty));
  return parts;
}

/** Picks the error a person should fix first: the deepest path, preferring concrete keywords. */
function mostSpecific(errors: ErrorObject[]): ErrorObject {
  const rank = (e: ErrorObject) => pathOf(e).length * 10 + (['if', 'allOf', 'anyOf', 'oneOf'].includes(e.keyword) ? 0 : 1);
  return [...errors].sort((a, b) => rank(b) - rank(a))[0];
}

function valueAt(doc: unknown, path: (string | number)[]): unknown {
  // biome-ignore lint/suspicious/noExplicitAny: walks an untyped, already validated document
  let node = doc as any;
  for (const p of path) node = node?.[p];
  return node;
}

/** YAML's `.nan` / `.inf` read as numbers JSON cannot show (JSON.stringify makes them null). */
const notFinite = (v: unknown): v is number => typeof v === 'number' && !Number.isFinite(v);
const yamlNumber = (v: number) => (Number.isNaN(v) ? '.nan' : v > 0 ? '.inf' : '-.inf');

interface ObjectForm {
  properties?: Record<string, unknown>;
  required?: string[];
}

/**
 * A value that may take one of several object forms (`oneOf` of objects with their own keys, as
 * `cost.window`): the branch errors ajv reports one per form are collapsed into the one line that
 * fits what was written: the key a form still needs, a key no form knows (with did-you-mean and
 * every form's keys), or keys of different forms mixed. Undefined for anything else.
 */
function describeForms(errors: ErrorObject[], doc: unknown, registry: Registry): { message: string; path: (string | number)[] } | undefined {
  const oneOf = errors
    .filter((e) => e.keyword === 'oneOf')
    .sort((a, b) => pathOf(b).length - pathOf(a).length)
    .find((e) => {
      const forms = keywordSchemaOf(e, registry) as ObjectForm[];
      return Array.isArray(forms) && forms.every((f) => f && typeof f === 'object' && f.properties);
    });
  if (!oneOf) return undefined;
  const path = pathOf(oneOf);
  const value = valueAt(doc, path);
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const forms = keywordSchemaOf(oneOf, registry) as ObjectForm[];
  const keysOf = (f: ObjectForm) => Object.keys(f.properties ?? {});
  const listed = `the forms are ${forms.map((f) => `{ ${keysOf(f).join(', ')} }`).join(' or ')}`;
  const written = Object.keys(value);
  const known = forms.flatMap(keysOf);
  const unknown = written.find((k) => !known.includes(k));
  if (unknown !== undefined) {
    const hint = closest(unknown, known);
    return { message: `unknown key${hint ? ` (did you mean '${hint}'?)` : ''}; allowed here: ${known.join(', ')} (${listed})`, path: [...path, unknown] };
  }
  const fits = forms.map((f, i) => ({ f, i })).filter(({ f }) => written.every((k) => keysOf(f).includes(k)));
  if (fits.length === 0) {
    const together = (a: string, b: string) => forms.some((f) => keysOf(f).includes(a) && keysOf(f).includes(b));
    const pair = written.flatMap((a) => written.filter((b) => b !== a && !together(a, b)).map((b) => [a, b]))[0] ?? written;
    const mixed = pair.map((k) => `'${k}'`).join(' and ');
    return { message: `${mixed} belong to different forms and cannot be combined; use one: ${listed}`, path };
  }
  // The form written: its own errors (the first fitting form, as the keys written are all its own).
  const branch = `${oneOf.schemaPath}/${fits[0].i}/`;
  const own = errors.filter((e) => e.schemaPath.startsWith(branch));
  if (own.length === 0) return undefined;
  const error = mostSpecific(own);
  if (error.keyword === 'required') {
    const missing = String(error.params.missingProperty);
    const given = written.filter((k) => keysOf(fits[0].f).includes(k));
    return { message: `missing required key '${missing}'${given.length ? ` (required with ${given.map((k) => `'${k}'`).join(', ')})` : ''}; ${listed}`, path };
  }
  return { message: describeSchemaError(error, doc, registry), path: pathOf(error) };
}

function describeSchemaError(error: ErrorObject, doc: unknown, registry: Registry): string {
  const path = pathOf(error);
  const got = valueAt(doc, path);
  // A value is shown only as a short redacted excerpt, and never under a secret-looking key.
  const secretField = path.some((p) => typeof p === 'string' && SECRET_FIELD.test(p));
  const shown = got === undefined || secretField ? '' : ` (got ${notFinite(got) ? yamlNumber(got) : excerpt(JSON.stringify(got) ?? String(got), 60)})`;
  if (notFinite(got) && !secretField) {
    const what = Number.isNaN(got) ? 'NaN' : 'infinity';
    const expected = error.keyword === 'type' ? `must be ${(error.params as { type: string }).type}: ` : '';
    return `${expected}got ${yamlNumber(got)} (${what}), which is not a number allowed here; write a finite number`;
  }
  // biome-ignore lint/suspicious/noExplicitAny: ajv's error params and parent schema are untyped
  const p = error.params as Record<string, any>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const allowed = Object.keys(parentSchemaOf(error, registry)?.properties ?? {});
      const hint = closest(String(p.additionalProperty), allowed);
      return `unknown key${hint ? ` (did you mean '${hint}'?)` : ''}${allowed.length ? `; allowed here: ${allowed.join(', ')}` : ''}`;
    }
    case 'required':
      return `missing required key '${p.missingProperty}'`;
    case 'enum': {
      const hint =
        typeof got === 'string'
          ? closest(
              got,
              (p.allowedValues as unknown[]).filter((v): v is string => typeof v === 'string' && v !== ''),
            )
          : undefined;
      return `must be one of ${p.allowedValues.map((v: unknown) => JSON.stringify(v)).join(', ')}${shown}${hint ? ` (did you mean '${hint}'?)` : ''}`;
    }
    case 'const':
      return `must be ${JSON.stringify(p.allowedValue)}${shown}`;
    case 'type':
      return `must be ${p.type}${shown}`;
    case 'not': {
      // `not: { required: [a, b] }`: keys that exclude each other.
      const both = (keywordSchemaOf(error, registry)?.required ?? []) as string[];
      const at = String(path[path.length - 1] ?? '');
      if (both.length === 2) return `set either ${at}.${both[0]} or ${at}.${both[1]}, not both`;
      return `${error.message ?? 'is invalid'}${shown}`;
    }
    case 'propertyNames':
      return `invalid name '${excerpt(String(p.propertyName), 60)}'`;
    default:
      return `${error.message ?? 'is invalid'}${shown}`;
  }
}

/**
 * The schema object holding the failed keyword, found from the error's schemaPath in the registry's
 * schema (the validator is not verbose: the precompiled one stays small and loads fast).
 */
function parentSchemaOf(error: ErrorObject, registry: Registry): { properties?: Record<string, unknown> } | undefined {
  return schemaAt(error.schemaPath, registry, 1);
}

/** The value of the failed keyword itself (ajv's `error.schema`, which only a verbose validator fills in). */
// biome-ignore lint/suspicious/noExplicitAny: a JSON Schema fragment, shape depends on the keyword
function keywordSchemaOf(error: ErrorObject, registry: Registry): any {
  return error.schema ?? schemaAt(error.schemaPath, registry, 0);
}

// biome-ignore lint/suspicious/noExplicitAny: walks the JSON Schema by a JSON pointer
function schemaAt(schemaPath: string, registry: Registry, up: number): any {
  const steps = schemaPath.replace(/^#\/?/, '').split('/');
  // biome-ignore lint/suspicious/noExplicitAny: walks the JSON Schema by a JSON pointer
  let node: any = configSchema(registry);
  for (const step of steps.slice(0, steps.length - up)) node = node?.[step.replace(/~1/g, '/').replace(/~0/g, '~')];
  return node && typeof node === 'object' ? node : undefined;
}

/** The allowed key closest to a misspelt one (edit distance ≤ 2), for "did you mean". */
function closest(word: string, options: string[]): string | undefined {
  // Keys are capped by the YAML budget; anything much longer than every option is no misspelling.
  if (word.length > Math.max(0, ...options.map((o) => o.length)) + 2) return undefined;
  let best: string | undefined;
  let bestDistance = 3;
  for (const option of options) {
    const d = editDistance(word.toLowerCase(), option.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = option;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}
