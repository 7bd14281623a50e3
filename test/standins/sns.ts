/**
 * A local Amazon SNS for Publish, speaking the query protocol `@aws-sdk/client-sns` uses
 * (form-encoded POST, XML answers, errors as `<ErrorResponse>`). It enforces the Publish rules
 * in docs/contracts/notifications.md: a known TopicArn, a message of at most 256 KB, a Subject of
 * ASCII without line breaks and under 100 characters, and with MessageStructure=json a JSON
 * object whose `default` is a string.
 */
import type { ServerResponse } from 'node:http';
import { startLocalServer, type LocalServer } from './local-server';

export interface PublishedMessage {
  topicArn: string;
  subject?: string;
  message: string;
  structure?: string;
  attributes: Record<string, string>;
}

export interface SnsStandIn {
  endpoint: string;
  published: PublishedMessage[];
  server: LocalServer;
  close(): Promise<void>;
}

function fault(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'text/xml' });
  res.end(
    `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message.replace(/[<&]/g, ' ')}</Message></Error><RequestId>r0</RequestId></ErrorResponse>`,
  );
}

/** Why SNS would refuse this Publish, or undefined. */
export function publishProblem(p: URLSearchParams, topics: readonly string[]): { code: string; message: string } | undefined {
  const topic = p.get('TopicArn') ?? '';
  if (!topics.includes(topic)) return { code: 'NotFound', message: `Topic does not exist: ${topic}` };
  const message = p.get('Message');
  if (!message) return { code: 'InvalidParameter', message: 'Message is required' };
  if (Buffer.byteLength(message) > 256 * 1024) return { code: 'InvalidParameter', message: 'Message too long: at most 256 KB' };
  const subject = p.get('Subject');
  if (subject !== null && (subject.length === 0 || subject.length >= 100 || !/^[\x20-\x7e]+$/.test(subject))) {
    return { code: 'InvalidParameter', message: 'Subject must be ASCII without line breaks or control characters and less than 100 characters' };
  }
  if (p.get('MessageStructure') === 'json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      return { code: 'InvalidParameter', message: 'Message Structure - JSON message body failed to parse' };
    }
    if (!parsed || typeof parsed !== 'object' || typeof (parsed as { default?: unknown }).default !== 'string') {
      return { code: 'InvalidParameter', message: 'Message Structure - No default entry in JSON message body' };
    }
  }
  return undefined;
}

export async function startSns(topics: readonly string[]): Promise<SnsStandIn> {
  const published: PublishedMessage[] = [];
  const server = await startLocalServer(({ method, headers, body }, res) => {
    if (method !== 'POST' || !String(headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded'))
      return fault(res, 400, 'InvalidAction', 'query protocol only');
    const p = new URLSearchParams(body);
    if (p.get('Action') !== 'Publish') return fault(res, 400, 'InvalidAction', `${p.get('Action')} is not served`);
    const problem = publishProblem(p, topics);
    if (problem) return fault(res, problem.code === 'NotFound' ? 404 : 400, problem.code, problem.message);
    const attributes: Record<string, string> = {};
    for (let i = 1; p.has(`MessageAttributes.entry.${i}.Name`); i++)
      attributes[p.get(`MessageAttributes.entry.${i}.Name`)!] = p.get(`MessageAttributes.entry.${i}.Value.StringValue`) ?? '';
    published.push({
      topicArn: p.get('TopicArn')!,
      subject: p.get('Subject') ?? undefined,
      message: p.get('Message')!,
      structure: p.get('MessageStructure') ?? undefined,
      attributes,
    });
    res.writeHead(200, { 'content-type': 'text/xml' });
    return res.end(
      `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-${published.length}</MessageId></PublishResult><ResponseMetadata><RequestId>r-${published.length}</RequestId></ResponseMetadata></PublishResponse>`,
    );
  });
  return { endpoint: server.url, published, server, close: () => server.close() };
}
