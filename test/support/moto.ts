import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/**
 * moto (https://github.com/getmoto/moto), an independent AWS emulator, as a second opinion on the
 * real AWS SDK paths. It is a Python package: installed on the CI machine, often not on a laptop.
 * Suites that use it call {@link describeWithMoto}: without moto they skip with a visible note,
 * unless SAAS_READINESS_REQUIRE_MOTO=1 (set by .ci/run), where a missing moto fails the suite.
 */
export interface MotoServer {
  /** e.g. http://127.0.0.1:40123 — use it as AWS_ENDPOINT_URL or a client's `endpoint`. */
  endpoint: string;
  /** Forgets every resource (POST /moto-api/reset). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export const PYTHON = process.env.SAAS_READINESS_PYTHON ?? 'python3';
let available: boolean | undefined;

/**
 * True when `python3 -c "import moto.server"` works: checked once per run by the global setup
 * (SR_TEST_MOTO), else once per suite (jest gives each suite its own module registry).
 */
export function motoAvailable(): boolean {
  if (available === undefined && process.env.SR_TEST_MOTO) available = process.env.SR_TEST_MOTO === '1';
  if (available === undefined) {
    const probe = spawnSync(PYTHON, ['-c', 'import moto.server, sys; sys.stdout.write(moto.__version__)'], { encoding: 'utf8', timeout: 15_000 });
    available = probe.status === 0;
  }
  return available;
}

/** `describe` when moto can run here, else a skipped `describe` with a note on stderr. */
export function describeWithMoto(name: string, body: () => void): void {
  if (motoAvailable()) return describe(name, body);
  if (process.env.SAAS_READINESS_REQUIRE_MOTO === '1') {
    describe(name, () => {
      test('moto is installed (required by SAAS_READINESS_REQUIRE_MOTO=1)', () => {
        throw new Error(`moto is required here but '${PYTHON} -c "import moto.server"' failed`);
      });
    });
    return;
  }
  process.stderr.write(`\n[saas-readiness tests] moto not installed (${PYTHON} -m moto.server): skipping "${name}"\n`);
  describe.skip(name, body);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts `python3 -m moto.server` on a free loopback port and waits until it answers. */
export async function startMoto(timeoutMs = 30_000): Promise<MotoServer> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(PYTHON, ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (c: Buffer) => (log = (log + c.toString('utf8')).slice(-4000)));
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto exited with ${child.exitCode}: ${log}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > timeoutMs) {
      child.kill('SIGKILL');
      throw new Error(`moto did not answer on ${endpoint} within ${timeoutMs} ms: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  return {
    endpoint,
    async reset() {
      const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!res.ok) throw new Error(`moto reset answered ${res.status}`);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
