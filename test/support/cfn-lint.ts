import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * cfn-lint (https://github.com/aws-cloudformation/cfn-lint), AWS's template linter: a Python tool,
 * installed on the CI machine, often not on a laptop. Suites that use it call
 * {@link describeWithCfnLint}: without it they skip with a visible note, unless
 * SAAS_READINESS_REQUIRE_CFN_LINT=1 (set by .ci/run), where a missing cfn-lint fails the suite.
 */
export const CFN_LINT = process.env.SAAS_READINESS_CFN_LINT ?? 'cfn-lint';
let version: string | undefined | null;

/**
 * cfn-lint's version when it runs here, else undefined: checked once per run by the global setup
 * (SR_TEST_CFN_LINT, '' when missing), else once per suite.
 */
export function cfnLintVersion(): string | undefined {
  if (version === undefined && process.env.SR_TEST_CFN_LINT !== undefined) version = process.env.SR_TEST_CFN_LINT || null;
  if (version === undefined) {
    const probe = spawnSync(CFN_LINT, ['--version'], { encoding: 'utf8', timeout: 30_000 });
    version = probe.status === 0 ? probe.stdout.trim() : null;
  }
  return version ?? undefined;
}

/** `describe` when cfn-lint can run here, else a skipped `describe` with a note on stderr. */
export function describeWithCfnLint(name: string, body: () => void): void {
  if (cfnLintVersion()) return describe(name, body);
  if (process.env.SAAS_READINESS_REQUIRE_CFN_LINT === '1') {
    describe(name, () => {
      test('cfn-lint is installed (required by SAAS_READINESS_REQUIRE_CFN_LINT=1)', () => {
        throw new Error(`cfn-lint is required here but '${CFN_LINT} --version' failed`);
      });
    });
    return;
  }
  process.stderr.write(`\n[saas-readiness tests] cfn-lint not installed (${CFN_LINT}): skipping "${name}"\n`);
  describe.skip(name, body);
}

export interface CfnLintFinding {
  rule: string;
  level: string;
  message: string;
  /** Resources/<LogicalId>/Properties/… */
  path: string;
}

/** Lints a synthesized template (JSON) and returns every finding, as cfn-lint's JSON output lists them. */
export function cfnLint(template: unknown, regions = ['us-east-1']): CfnLintFinding[] {
  const dir = mkdtempSync(join(tmpdir(), 'sr-cfn-lint-'));
  try {
    const file = join(dir, 'template.json');
    writeFileSync(file, JSON.stringify(template));
    const run = spawnSync(CFN_LINT, ['--format', 'json', '--regions', ...regions, '--', file], { encoding: 'utf8', timeout: 120_000 });
    // Exit codes are a bit mask of error (2), warning (4) and informational (8) findings; 1 is a crash.
    if (run.status === null || run.status === 1 || !run.stdout.trim().startsWith('[')) {
      throw new Error(`cfn-lint did not lint ${file} (exit ${run.status}): ${(run.stderr || run.stdout).slice(-2000)}`);
    }
    return (JSON.parse(run.stdout) as { Rule: { Id: string }; Level: string; Message: string; Location: { Path: (string | number)[] } }[]).map((f) => ({
      rule: f.Rule.Id,
      level: f.Level,
      message: f.Message,
      path: f.Location.Path.join('/'),
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
