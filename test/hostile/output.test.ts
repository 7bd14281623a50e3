import fc from 'fast-check';
import { renderMarkdown } from '../../lambda/core/report/markdown';
import { renderText } from '../../lambda/core/report/text';
import { escapeControl, excerpt, redact, registerSecret } from '../../lambda/core/redact';
import type { RunReport } from '../../lambda/core/runner';
import { apiErrorMessage, requestJson } from '../../lambda/sources/http/json-request';
import { OpenAiCostsBill } from '../../lambda/sources/openai/costs';
import { plainSecrets } from '../support/gate';
import { startLocalServer } from '../standins/local-server';

/**
 * What leaves the process: redaction by shape (any password in anything URL-shaped, whatever it
 * contains), hostile identifiers escaped before they reach a terminal, and the one rule for quoting
 * an API's answer. In-process and bounded: each property runs well under a second.
 */
describe('redaction by shape, before any parsing', () => {
  const password = fc
    .string({ unit: fc.constantFrom(...'abcXYZ019/+=:@?#%!~.-_$&'.split('')), minLength: 4, maxLength: 40 })
    .filter((p) => /[A-Za-z0-9]{2}/.test(p));
  const scheme = fc.constantFrom('postgres://', 'postgresql://', 'postgres:/', 'postgres:', 'https://', 'redis://', 'mongodb+srv://', '');

  it('no password survives in a URL, whatever it holds (/, @, :, ?, #) and however the scheme is typed', () => {
    fc.assert(
      fc.property(scheme, password, fc.constantFrom('app', 'u.ser-1', ''), (s, pw, user) => {
        // Without a scheme, `app://pw@host` is a URL with user `pw` and no password: left whole.
        fc.pre(!(s === '' && pw.startsWith('//')));
        const url = `${s}${user}:${pw}@db.internal:5432/app?sslmode=require`;
        const out = redact(`source url is not a valid URL: ${url} (and again "${url}")`);
        expect(out).not.toContain(`:${pw}@`);
        expect(out).toContain('@db.internal:5432/app');
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    ['a secret-named query parameter', 'GET https://api.example.com/v1/ping?api_key=k-123456&x=1', 'GET https://api.example.com/v1/ping?api_key=***&x=1'],
    ['a Bearer token', 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig', 'Authorization: Bearer ***'],
    ['Basic credentials', 'header Basic dXNlcjpwYXNzd29yZA==', 'header Basic ***'],
    ['prose stays as it is', 'Basic tier tenants: 4; notify @slack-ops, oncall@example.com', 'Basic tier tenants: 4; notify @slack-ops, oncall@example.com'],
  ])('%s', (_name, text, expected) => {
    expect(redact(text)).toBe(expected);
  });

  it('a registered secret is hidden also URL-encoded, and an excerpt never cuts a secret into an unrecognised head', () => {
    registerSecret('Rotated/Secret+Value=42');
    expect(redact('x Rotated%2FSecret%2BValue%3D42 y Rotated/Secret+Value=42')).toBe('x *** y ***');
    expect(excerpt(`${'a'.repeat(50)} Rotated/Secret+Value=42`, 60)).not.toMatch(/Rotated/);
  });
  // The 10 MB inputs (linear time, no recursion) are in the e2e tier: test/hostile/huge-output.test.ts.
});

describe('hostile identifiers reach no terminal raw (was: a tenant ID with \\x1b[31m coloured the output)', () => {
  const hostile = 'acme\x1b[31m\x1b]0;pwned\x07\u202egnp.exe\r\x9b2J';
  const report: RunReport = {
    schemaVersion: 1,
    tool: { name: 'saas-readiness', version: 'test' },
    suite: 'acme',
    verdict: 'NOT READY',
    verdictReason: '0 passed, 1 failed',
    allowSkip: false,
    probes: true,
    startedAt: '2026-11-28T00:00:00.000Z',
    durationMs: 1,
    results: [
      {
        gate: 'tenants',
        title: 'Multi-tenant operational',
        status: 'FAIL',
        summary: `duplicate tenant IDs: ${hostile}`,
        criteria: [{ id: 'unique', title: 'unique IDs', status: 'FAIL', summary: hostile, evidence: [hostile] }],
        measurements: [],
        evidence: [hostile],
        remediation: hostile,
        startedAt: '2026-11-28T00:00:00.000Z',
        durationMs: 1,
      },
    ],
  };

  it.each([
    ['text', () => renderText(report)],
    ['text with colour', () => renderText(report, { color: true }).replace(/\x1b\[[0-9;]*m/g, '')],
    ['markdown', () => renderMarkdown(report)],
  ])('%s: every control character and bidi override is shown as an escape', (_name, render) => {
    const out = render();
    expect(out).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/);
    expect(out).toContain('acme\\x1b[31m\\x1b]0;pwned\\x07\\u202egnp.exe\\x0d\\x9b2J');
  });

  it('escapeControl keeps line breaks and tabs', () => {
    expect(escapeControl('a\tb\nc\x1b')).toBe('a\tb\nc\\x1b');
  });
});

describe("quoted response bodies: only an API's own error message, redacted, never a raw body", () => {
  const KEY = 'dd-echoed-api-key-778899';
  it.each([
    ['a JSON errors[] message (Datadog)', JSON.stringify({ errors: [`Forbidden: key ${KEY} is not valid`] }), 'Forbidden: key *** is not valid'],
    [
      'a JSON error.message (OpenAI)',
      JSON.stringify({ error: { message: `Incorrect API key provided: ${KEY}`, type: 'invalid_request_error' } }),
      'Incorrect API key provided: ***',
    ],
    ['control characters in the message', JSON.stringify({ message: 'bad\x1b[2Jrequest' }), 'bad\\x1b[2Jrequest'],
    ['a long message, cut after redaction', JSON.stringify({ message: `${'x'.repeat(190)} ${KEY}` }), `${'x'.repeat(190)} ***`],
    ['plain text (was: quoted)', `upstream said: ${KEY} is wrong`, ''],
    ['an HTML page', '<html><body>Bad Gateway</body></html>', ''],
    ['a JSON body without an error field', JSON.stringify({ data: KEY }), ''],
  ])('%s', (_name, body, quoted) => {
    registerSecret(KEY);
    expect(apiErrorMessage(body)).toBe(quoted);
  });

  it('Datadog (requestJson) and OpenAI quote the same way, and never a plain-text body', async () => {
    const server = await startLocalServer((req, res) => {
      if (req.url.pathname.startsWith('/dd')) return void res.writeHead(500, { 'content-type': 'text/plain' }).end(`internal: token=${KEY} dump follows`);
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`stack trace with ${KEY}`);
    });
    try {
      const dd = requestJson({
        service: 'Datadog',
        key: 'Datadog API key',
        url: new URL(`${server.url}/dd/api/v1/validate`),
        headers: {},
        signal: new AbortController().signal,
        deadline: Date.now() + 10_000,
      });
      await expect(dd).rejects.toThrow(/^Datadog answered HTTP 500 \(GET 127\.0\.0\.1:\d+\/dd\/api\/v1\/validate\)$/);
      const openai = new OpenAiCostsBill({ type: 'openai', adminKey: 'sk-admin-quoted-1234', baseUrl: `${server.url}/v1`, maxAttempts: 1 }, plainSecrets);
      await expect(openai.fetch({ from: '2026-11-01', to: '2026-11-02', label: 'test' }, new AbortController().signal)).rejects.toThrow(
        /^OpenAI costs API .*HTTP 500(?!:)/,
      );
    } finally {
      await server.close();
    }
  });
});
