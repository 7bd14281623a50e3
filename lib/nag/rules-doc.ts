/**
 * docs/rules.md, written from the rule objects themselves so the reference cannot drift from what
 * the pack checks: `npm run docs:rules` regenerates it, and a test fails when it is out of date.
 */
import { NagMessageLevel } from 'cdk-nag';
import type { ReadinessRule } from './rule';

export interface DocumentedGate {
  readonly id: string;
  readonly title: string;
}

const PACK_PREFIX = 'SaaSR';

/** One section per gate (in registry order), one entry per rule: id, level, what triggers it, why, and the fix. */
export function renderRulesMarkdown(rules: readonly ReadinessRule[], gates: readonly DocumentedGate[]): string {
  const out = [
    '# Readiness rule pack: rules',
    '',
    '<!-- Generated from the rule objects in lib/nag/rules by `npm run docs:rules`; do not edit by hand. -->',
    '',
    `Every rule of \`SaaSReadinessChecks\`, by gate. A finding is reported as \`${PACK_PREFIX}-<id>\` and fails`,
    '`cdk synth` (warnings included); acknowledge one with a reason as [the rule pack guide](rule-pack.md#acknowledging-a-finding) shows.',
    '',
    '| Rule id | Gate | Level |',
    '|---|---|---|',
    ...rules.map((r) => `| [\`${PACK_PREFIX}-${r.id}\`](#${anchor(`${PACK_PREFIX}-${r.id}`)}) | ${gateLabel(r.gate, gates)} | ${levelOf(r.level)} |`),
  ];
  for (const [index, gate] of gates.entries()) {
    const own = rules.filter((r) => r.gate === gate.id);
    if (own.length === 0) continue;
    out.push('', `## Gate ${index + 1}: ${gate.title} (\`${gate.id}\`)`);
    for (const r of own) {
      out.push(
        '',
        `### ${PACK_PREFIX}-${r.id}`,
        '',
        `**Level:** ${levelOf(r.level)}`,
        '',
        `**Finding:** ${r.info}`,
        '',
        `**Why:** ${r.explanation}`,
        '',
        `**Fix:** ${r.fix}`,
      );
    }
  }
  return `${out.join('\n')}\n`;
}

function gateLabel(id: string, gates: readonly DocumentedGate[]): string {
  const index = gates.findIndex((g) => g.id === id);
  return index < 0 ? id : `${index + 1} ${id}`;
}

function levelOf(level: NagMessageLevel): string {
  return level === NagMessageLevel.ERROR ? 'Error' : level === NagMessageLevel.WARN ? 'Warning' : String(level);
}

/** GitHub's heading anchor: lower-case, spaces to dashes, punctuation other than dashes dropped. */
function anchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, '')
    .replace(/ /g, '-');
}

if (require.main === module) {
  // `npm run docs:rules`: the built-in rules and gates, in registry order.
  const { READINESS_RULES } = require('./rules') as typeof import('./rules');
  const { GATES } = require('../../lambda/gates') as typeof import('../../lambda/gates');
  process.stdout.write(renderRulesMarkdown(READINESS_RULES, GATES));
}
