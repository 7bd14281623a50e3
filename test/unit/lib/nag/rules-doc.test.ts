import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GATES } from '../../../../lambda/gates';
import { READINESS_RULES } from '../../../../lib/nag/rules';
import { renderRulesMarkdown } from '../../../../lib/nag/rules-doc';

describe('docs/rules.md', () => {
  const doc = renderRulesMarkdown(READINESS_RULES, GATES);

  it('is what the rule objects say (regenerate with npm run docs:rules)', () => {
    expect(readFileSync(join(__dirname, '..', '..', '..', '..', 'docs', 'rules.md'), 'utf8')).toBe(doc);
  });

  it('has one section per rule, with its level, finding, explanation and fix', () => {
    for (const rule of READINESS_RULES) {
      const section = doc.split(`### SaaSR-${rule.id}\n`)[1]?.split('\n### ')[0] ?? '';
      expect(section).toContain(`**Finding:** ${rule.info}`);
      expect(section).toContain(`**Why:** ${rule.explanation}`);
      expect(section).toContain(`**Fix:** ${rule.fix}`);
    }
  });
});
