import { createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnCli } from './support';

/**
 * Hostile cases whose point is the process itself, so the CLI runs in its own process (bundled once,
 * heap capped at 192 MB): a bomb cannot take the machine, a gate's deadline ends its I/O and the
 * process exits, and an interrupt at a random point stops the run without a report.
 */
const dir = mkdtempSync(join(tmpdir(), 'sr-hostile-process-'));

/** A TCP server that accepts and never answers: a gate waiting on it runs until stopped. */
async function silentServer(): Promise<{ url: string; sockets: Set<Socket>; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    sockets,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** Deterministic "random" points (seeded), so a failure can be replayed. */
function seeded(seed: number): () => number {
  let x = seed;
  return () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

describe('hostile input and signals, in a process of its own', () => {
  it('the 474-byte alias bomb: exit 2 in seconds under a 192 MB heap (was: 62 s, 1.7 GB, then a native crash)', async () => {
    const lines = ['version: 1', 'suite: acme', 'l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i <= 9; i++)
      lines.push(
        `l${i}: &l${i} [${Array(9)
          .fill(`*l${i - 1}`)
          .join(',')}]`,
      );
    const path = join(dir, 'bomb.yaml');
    writeFileSync(path, `${lines.join('\n')}\n`);
    const run = await spawnCli(['run', '--config', path]);
    expect({ code: run.code, signal: run.signal, stdout: run.stdout }).toEqual({ code: 2, signal: null, stdout: '' });
    expect(run.stderr).toMatch(/^saas-readiness: \S+bomb\.yaml:\d+: \S+: the document expands to more than 100,000 nodes/);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.ms).toBeLessThan(15_000);
  });

  it('a CUR export streamed from S3 that never ends: the deadline closes the download and the process exits (was: never)', async () => {
    const open = new Set<string>();
    let closedAt: number | undefined;
    const s3 = createHttpServer((req, res) => {
      open.add(req.url ?? '');
      res.writeHead(200, { 'content-type': 'text/csv', 'last-modified': new Date().toUTCString() });
      res.write('identity/LineItemId,lineItem/UsageStartDate,lineItem/UnblendedCost,lineItem/CurrencyCode,resourceTags/user:tenant_id\n');
      const trickle = setInterval(() => res.write('x'), 50);
      res.on('close', () => {
        clearInterval(trickle);
        closedAt = Date.now();
      });
    });
    await new Promise<void>((r) => s3.listen(0, '127.0.0.1', r));
    const ledger = join(dir, 'ledger.csv');
    writeFileSync(ledger, 'tenant_id,usage_date,provider,cost_usd\nacme,2026-01-02,aws,1.00\n');
    const path = join(dir, 'cur-stream.yaml');
    writeFileSync(
      path,
      `version: 1\nsuite: acme\nsources:\n  led: { type: csv, path: ${ledger} }\n  bill: { type: cur, path: s3://bills/cur.csv, region: us-east-1 }\ngates:\n  cost: { ledger: { source: led }, aws: { source: bill }, window: { from: 2026-01-01, to: 2026-01-31 }, timeoutSeconds: 2 }\n`,
    );
    try {
      const run = await spawnCli(['run', '--config', path, '--quiet'], {
        env: {
          AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${(s3.address() as { port: number }).port}`,
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'AKIDHOSTILE',
          AWS_SECRET_ACCESS_KEY: 'hostile-signing-key',
        },
      });
      expect({ code: run.code, signal: run.signal }).toEqual({ code: 1, signal: null });
      expect(run.stdout).toMatch(/cost\s+ERROR\s+timed out after 2 s/);
      expect(open.size).toBe(1);
      // Well before the CLI's 10 s exit net: the stream itself was closed at the deadline.
      expect(run.ms).toBeLessThan(8_000);
      expect(closedAt).toBeDefined();
    } finally {
      s3.closeAllConnections();
      await new Promise<void>((r) => s3.close(() => r()));
    }
  });

  it.each([
    [
      '/dev/zero (was: timed out, and the process never exited)',
      '/dev/zero',
      /AWS bill readable: AWS bill: cannot read \/dev\/zero: it is a character device, not a regular file\n/,
    ],
    [
      'a 256 MiB sparse file of zeros (no line breaks)',
      'SPARSE',
      /AWS bill readable: AWS bill: \S+zeros\.csv is not a valid CSV file: Max Record Size: record exceed the maximum number of tolerated bytes of 1048576 at line 1\n/,
    ],
  ])('a CUR path that never yields a line, %s: the bill criterion is ERROR at once, the process exits', async (_name, cur, message) => {
    let path = cur as string;
    if (path === 'SPARSE') {
      path = join(dir, 'zeros.csv');
      require('node:fs').truncateSync((writeFileSync(path, ''), path), 256 * 2 ** 20);
    }
    const ledger = join(dir, 'ledger-zero.csv');
    writeFileSync(ledger, 'tenant_id,usage_date,provider,cost_usd\nacme,2026-01-02,aws,1.00\n');
    const config = join(dir, `cur-${_name.length}.yaml`);
    writeFileSync(
      config,
      `version: 1\nsuite: acme\nsources:\n  led: { type: csv, path: ${ledger} }\n  bill: { type: cur, path: ${path} }\ngates:\n  cost: { ledger: { source: led }, aws: { source: bill }, window: { from: 2026-01-01, to: 2026-01-31 }, timeoutSeconds: 60 }\n`,
    );
    const run = await spawnCli(['run', '--config', config, '--quiet']);
    expect({ code: run.code, signal: run.signal }).toEqual({ code: 1, signal: null });
    expect(run.stdout).toMatch(message);
    expect(run.ms).toBeLessThan(15_000);
  });

  describe('signals at random points of a run (seed 20)', () => {
    const random = seeded(20);
    const points = [
      { signal: 'SIGINT' as const, afterMs: Math.round(random() * 1500) },
      { signal: 'SIGINT' as const, afterMs: Math.round(random() * 1500) },
      { signal: 'SIGTERM' as const, afterMs: Math.round(random() * 1500) },
    ];
    it.each(points)(
      '$signal $afterMs ms into the gate run: stopped, no report, exit 128 + signal (was: the full report, then 130)',
      async ({ signal, afterMs }) => {
        const api = await silentServer();
        const path = join(dir, `signal-${signal}-${afterMs}.yaml`);
        writeFileSync(
          path,
          `version: 1\nsuite: acme\nsources:\n  dd: { type: datadog, apiKey: "\${env:DD_KEY}", appKey: "\${env:DD_APP}", apiUrl: "${api.url}" }\ngates:\n  monitoring: { datadog: { source: dd, env: prod }, timeoutSeconds: 60 }\n`,
        );
        let sentAt: number | undefined;
        try {
          const run = await spawnCli(['run', '--config', path, '--out', join(dir, `out-${afterMs}`)], {
            env: { DD_KEY: 'dd-hostile-api-key-123', DD_APP: 'dd-hostile-app-key-456' },
            onStderr: (text, child) => {
              if (sentAt === undefined && text.includes('▶ monitoring')) {
                sentAt = Date.now() + afterMs;
                setTimeout(() => child.kill(signal), afterMs);
              }
            },
          });
          expect(sentAt).toBeDefined();
          expect({ code: run.code, stdout: run.stdout }).toEqual({ code: signal === 'SIGINT' ? 130 : 143, stdout: '' });
          expect(run.stderr).toMatch(new RegExp(`saas-readiness: interrupted by ${signal}; gates stopped, no report written`));
          expect(run.stderr).not.toMatch(/dd-hostile/);
          // Stopped within seconds of the signal, not at the 60 s deadline.
          expect(Date.now() - sentAt!).toBeLessThan(8_000);
          expect(require('node:fs').existsSync(join(dir, `out-${afterMs}`, 'report.json'))).toBe(false);
        } finally {
          await api.close();
        }
      },
    );
  });
});
