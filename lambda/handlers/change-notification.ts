/**
 * The notification a deployed gate sends when its result changed since its previous run of the
 * same kind (and only then): one SNS message that reads as plain text in email and as an Amazon Q
 * Developer in chat applications (AWS Chatbot) custom notification in Slack, Teams or Chime.
 * The rules it follows, with links, are in docs/contracts/notifications.md.
 */
import type { PublishCommandInput } from '@aws-sdk/client-sns';
import { describeChange, isRegression, type GateChange } from '../core/changes';
import { redact } from '../core/redact';

/** SNS subjects must be ASCII, without line breaks, and shorter than 100 characters. */
function subject(text: string): string {
  const ascii = text.replace(/[^\x20-\x7e]/g, '?');
  return ascii.length < 100 ? ascii : `${ascii.slice(0, 96)}...`;
}

export function changeNotification(change: GateChange, suite: string, run: string): PublishCommandInput {
  const kind = isRegression(change) ? 'regression' : change.movement === 'recovered' ? 'recovery' : 'change';
  const lines = describeChange(change).map((l) => redact(l));
  const title = `saas-readiness ${suite}: ${change.gate} ${change.movement ?? `still ${change.to}, with changes`}`;
  const text = [
    `${title} (${run} run)`,
    '',
    ...lines,
    '',
    `Previous run: ${change.previousAt}. Reports: the stack's reports bucket, reports/${suite}/${change.gate}/.`,
  ].join('\n');
  const chat = {
    version: '1.0',
    source: 'custom',
    id: `saas-readiness/${suite}/${change.gate}/${change.previousAt}`,
    content: {
      textType: 'client-markdown',
      title: `${kind === 'regression' ? ':red_circle:' : kind === 'recovery' ? ':large_green_circle:' : ':large_yellow_circle:'} ${title}`,
      description: lines.map((l) => (l.startsWith('  ') ? `• ${l.trim()}` : l)).join('\n'),
    },
    metadata: { threadId: `saas-readiness/${suite}/${change.gate}`, summary: title, eventType: `saas-readiness-${kind}` },
  };
  return {
    Subject: subject(title),
    MessageStructure: 'json',
    // `default` goes to every protocol not named (HTTPS, which chat integrations use; SQS; Lambda).
    Message: JSON.stringify({ default: JSON.stringify(chat), email: text }),
    MessageAttributes: {
      change: { DataType: 'String', StringValue: kind },
      gate: { DataType: 'String', StringValue: change.gate },
      suite: { DataType: 'String', StringValue: suite },
    },
  };
}
