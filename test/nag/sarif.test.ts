import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { App } from 'aws-cdk-lib';
import { FINGERPRINT_KEY, MAX_RESULTS_PER_RUN, readinessSarif, type SarifLog } from '../../lib/nag';
import { runCli } from '../support/cli';
import { buildApp } from '../fixtures/nag/app';

const ROOT = join(__dirname, '..', '..');
/** The official OASIS schema, vendored (see test/fixtures/sarif/SOURCE.md). */
const schema = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/sarif/sarif-schema-2.1.0.json'), 'utf8'));
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(schema);

function expectValidSarif(log: unknown): asserts log is SarifLog {
  const ok = validate(log);
  expect(ok ? [] : validate.errors).toEqual([]);
}

/** GitHub code scanning's documented limits and required fields (docs/contracts/sarif.md). */
function expectAcceptedByCodeScanning(log: SarifLog): void {
  expect(log.version).toBe('2.1.0');
  expect(log.runs.length).toBeLessThanOrEqual(20);
  for (const run of log.runs) {
    expect(run.tool.driver.name).toBeTruthy();
    expect(run.results.length).toBeLessThanOrEqual(MAX_RESULTS_PER_RUN);
    expect(run.tool.driver.rules.length).toBeLessThanOrEqual(25_000);
    for (const rule of run.tool.driver.rules as { id: string; properties: { tags: string[] } }[]) expect(rule.properties.tags.length).toBeLessThanOrEqual(20);
    for (const result of run.results) {
      expect(result.message.text).toBeTruthy();
      expect((run.tool.driver.rules[result.ruleIndex] as { id: string }).id).toBe(result.ruleId);
      expect(result.locations.length).toBeGreaterThanOrEqual(1);
      expect(result.locations.length).toBeLessThanOrEqual(1000);
      const physical = result.locations[0].physicalLocation;
      expect(physical.artifactLocation.uri).not.toMatch(/^(\/|file:)/);
      expect(physical.region.startLine).toBeGreaterThanOrEqual(1);
      expect(result.partialFingerprints[FINGERPRINT_KEY]).toMatch(/^[0-9a-f]{64}$/);
    }
  }
}

describe('SARIF 2.1.0 from the readiness rule pack', () => {
  const sarif = () => {
    const app = new App({ builtinCloudFormationValidation: false });
    return readinessSarif(buildApp(app), undefined, { sourceRoot: ROOT, version: '0.1.0' });
  };

  it('validates against the official SARIF 2.1.0 schema and within code scanning limits', () => {
    const log = sarif();
    expectValidSarif(log);
    expectAcceptedByCodeScanning(log);
  });

  it('describes every rule with help text and the fix', () => {
    const rules = sarif().runs[0].tool.driver.rules as {
      id: string;
      help: { text: string; markdown: string };
      defaultConfiguration: { level: string };
      properties: { tags: string[] };
    }[];
    const costTag = rules.find((r) => r.id === 'SaaSR-G2-CostTag')!;
    expect(costTag.help.text).toMatch(/Fix: Tag it with the cost-allocation key/);
    expect(costTag.help.markdown).toContain("Validations.of(construct).acknowledge({ id: 'SaaSR-G2-CostTag'");
    expect(costTag.properties.tags).toEqual(['saas-readiness', 'gate:cost']);
    expect(rules.find((r) => r.id === 'SaaSR-G4-LogRetention')!.defaultConfiguration.level).toBe('warning');
  });

  it('locates each finding where the CDK code created the construct, with a stable fingerprint', () => {
    const a = sarif().runs[0].results;
    const b = sarif().runs[0].results;
    const queue = a.find((r) => r.properties.constructPath === 'Saas/IngestQueue/Resource')!;
    const source = readFileSync(join(ROOT, 'test/fixtures/nag/app.ts'), 'utf8').split('\n');
    const line = source.findIndex((l) => l.includes("new Queue(stack, 'IngestQueue')")) + 1;
    expect(queue.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'test/fixtures/nag/app.ts', uriBaseId: 'SRCROOT' },
      region: { startLine: line, startColumn: expect.any(Number) },
    });
    expect(queue.locations[0].logicalLocations).toEqual([{ fullyQualifiedName: 'Saas/IngestQueue/Resource', kind: 'resource' }]);
    expect(a.map((r) => r.partialFingerprints)).toEqual(b.map((r) => r.partialFingerprints));
    const env = a.find((r) => r.properties.finding === 'SaaSR-G3-NoTenantConfigInEnv[TENANT_ACME_QUOTA]')!;
    expect(env.ruleId).toBe('SaaSR-G3-NoTenantConfigInEnv');
    expect(env.message.text).toContain('(TENANT_ACME_QUOTA)');
  });

  it("falls back to the synthesized template, at the resource's line, when CDK recorded no creation stack", () => {
    const app = new App({ builtinCloudFormationValidation: false, context: { 'aws:cdk:disable-creation-stack-traces': true } });
    const log = readinessSarif(buildApp(app), undefined, { sourceRoot: ROOT });
    expectValidSarif(log);
    expectAcceptedByCodeScanning(log);
    const queue = log.runs[0].results.find((r) => r.properties.constructPath === 'Saas/IngestQueue/Resource')!;
    const template = readFileSync(join(app.outdir, 'Saas.template.json'), 'utf8').split('\n');
    const line = template.findIndex((l) => /^\s*"IngestQueue[0-9A-F]{8}": \{/.test(l)) + 1;
    expect(line).toBeGreaterThan(1);
    expect(queue.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'cdk.out/Saas.template.json', uriBaseId: 'SRCROOT' },
      region: { startLine: line },
    });
  });

  it('reports an acknowledgement as a suppression with its reason', () => {
    const results = sarif().runs[0].results;
    const legacy = results.find((r) => r.properties.constructPath === 'Saas/LegacyQueue/Resource')!;
    expect(legacy.ruleId).toBe('SaaSR-G2-CostTag');
    expect(legacy.suppressions).toEqual([{ kind: 'inSource', status: 'accepted', justification: 'Drained and deleted in TICKET-7; no tenant traffic.' }]);
    expect(
      results
        .filter((r) => !r.suppressions)
        .map((r) => r.properties.finding)
        .sort(),
    ).toEqual([
      'SaaSR-G2-CostTag',
      'SaaSR-G2-CostTag',
      'SaaSR-G3-NoTenantConfigInEnv[TENANT_ACME_QUOTA]',
      'SaaSR-G4-FunctionMonitored',
      'SaaSR-G4-LogRetention',
    ]);
  });
});

describe('saas-readiness sarif --app', () => {
  it('runs the CDK app with the pack as a plugin and prints its SARIF log (exit 1: open findings)', async () => {
    const res = await runCli(['sarif', '--app', `"${join(ROOT, 'node_modules/.bin/tsx')}" test/fixtures/nag/app.ts`], {
      cwd: ROOT,
      env: { ...process.env, GITHUB_WORKSPACE: ROOT },
    });
    expect(res.stderr).toContain('saas-readiness: 5 open readiness finding(s), 1 acknowledged');
    expect(res.code).toBe(1);
    const log = JSON.parse(res.stdout);
    expectValidSarif(log);
    expectAcceptedByCodeScanning(log);
    const queue = log.runs[0].results.find((r: { properties: { constructPath: string } }) => r.properties.constructPath === 'Saas/IngestQueue/Resource');
    expect(queue!.locations[0].physicalLocation.artifactLocation.uri).toBe('test/fixtures/nag/app.ts');
  }, 120_000);

  it('says what to do when the app does not register the pack', async () => {
    const res = await runCli(['sarif', '--app', 'node -e "process.exit(0)"'], { cwd: ROOT, env: { ...process.env } });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('Validations.of(app).addPlugins(new SaaSReadinessChecks(app))');
  });
});
