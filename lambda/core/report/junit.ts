import type { RunReport } from '../runner';
import { acknowledgementHeading, acknowledgementLines, gateAcknowledgementLines } from './acknowledgements';

function xml(s: string): string {
  return s
    .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** JUnit XML: one test case per gate. FAIL is a failure, ERROR an error, SKIP skipped. */
export function renderJunit(report: RunReport): string {
  const count = (s: string) => report.results.filter((r) => r.status === s).length;
  const cases = report.results.map((r) => {
    const details = [
      ...r.criteria.map((c) => `[${c.status}] ${c.title}: ${c.summary}${(c.evidence ?? []).map((e) => `\n    ${e}`).join('')}`),
      ...r.evidence,
      ...(r.remediation ? [`Fix: ${r.remediation}`] : []),
      ...gateAcknowledgementLines(report, r.gate),
    ].join('\n');
    const open = `    <testcase classname="saas-readiness.${xml(report.suite)}" name="${xml(r.gate)}" time="${(r.durationMs / 1000).toFixed(3)}">`;
    const body =
      r.status === 'FAIL'
        ? `\n      <failure message="${xml(r.summary)}" type="FAIL">${xml(details)}</failure>\n    `
        : r.status === 'ERROR'
          ? `\n      <error message="${xml(r.summary)}" type="ERROR">${xml(details)}</error>\n    `
          : r.status === 'SKIP'
            ? `\n      <skipped message="${xml(r.summary)}"/>\n    `
            : `\n      <system-out>${xml(details)}</system-out>\n    `;
    return `${open}${body}</testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="saas-readiness" tests="${report.results.length}" failures="${count('FAIL')}" errors="${count('ERROR')}" skipped="${count('SKIP')}" time="${(report.durationMs / 1000).toFixed(3)}">`,
    `  <testsuite name="${xml(report.suite)}" tests="${report.results.length}" failures="${count('FAIL')}" errors="${count('ERROR')}" skipped="${count('SKIP')}" timestamp="${report.startedAt}" time="${(report.durationMs / 1000).toFixed(3)}">`,
    `    <properties><property name="verdict" value="${xml(report.verdict)}"/><property name="allowSkip" value="${report.allowSkip}"/>${
      report.acknowledgements
        ? [acknowledgementHeading(report.acknowledgements), ...acknowledgementLines(report.acknowledgements)]
            .map((l) => `<property name="acknowledgements" value="${xml(l)}"/>`)
            .join('')
        : ''
    }</properties>`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
