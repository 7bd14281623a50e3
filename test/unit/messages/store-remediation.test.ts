/** Fix lines for a store that answered but not as the settings expect: the setting, never "check the connection settings". */
import { checkConfig } from '../../../lambda/checks/config/check';
import { SourceError } from '../../../lambda/core/errors';
import { FakeClock, MemoryConfigDb, MemoryHistory } from '../fakes/config';

const signal = new AbortController().signal;

async function configStoreFailing(err: unknown) {
  const clock = new FakeClock('2024-06-02T12:00:00.000Z');
  const db = new MemoryConfigDb(clock, { acme: {} });
  db.fail.snapshot = err;
  return checkConfig({
    store: db.configStore(),
    history: new MemoryHistory(),
    historyKey: 'k',
    stableDays: 30,
    reservedKey: '_p',
    probesAllowed: true,
    signal,
    probeSignal: signal,
    now: clock.now,
  });
}

describe('gate 3 config store errors', () => {
  it('a missing table gets the setting that names it', async () => {
    const out = await configStoreFailing(
      new SourceError('not-found', "config table 'tenant_configs' not found in app@db", {
        remediation: 'Set gates.config.table to the table holding one config per tenant.',
      }),
    );
    expect(out.remediation).toBe('Set gates.config.table to the table holding one config per tenant.');
  });

  it('a mapping problem without its own fix is not called a connection problem', async () => {
    const out = await configStoreFailing(new SourceError('malformed', 'config column config is integer'));
    expect(out.remediation).toMatch(/^The store answered, but not as the settings expect/);
    expect(out.remediation).not.toMatch(/connection/);
  });

  it('an unreachable store still gets the connection advice', async () => {
    const out = await configStoreFailing(new SourceError('unreachable', 'connection refused'));
    expect(out.remediation).toMatch(/^Check the connection settings/);
  });
});
