/**
 * The demo's lines quoted in the docs (`<!-- output: demo-… -->` blocks) are what `npm run demo`
 * prints. Dates, amounts, percentages and durations follow the day the demo runs, so both sides
 * are compared with those replaced by placeholders; everything else must match word for word.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { DEMO_SCENARIOS, quotedBlocks } from './quoted-blocks';

const root = resolve(__dirname, '../..');

function normalise(text: string): string {
  return text
    .replace(/\d{4}-\d{2}-\d{2}/g, 'DATE')
    .replace(/\$[\d,]+\.\d{2}/g, '$AMOUNT')
    .replace(/[+-]?\d+\.\d+%/g, 'PCT')
    .replace(/\d+(\.\d+)? s\b/g, 'N s')
    .replace(/[ \t]+/g, ' ');
}

describe('demo output quoted in the docs', () => {
  it('the drifted demo prints the quoted cost FAIL and config PASS lines', () => {
    const run = spawnSync(process.execPath, ['--require', 'tsx/cjs', 'demo/run.ts', '--quiet'], {
      cwd: root,
      env: { ...process.env, DEMO_COST_DRIFT: 'initech:+12', NO_COLOR: '1' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(run.status).toBe(1); // the drift makes the suite NOT READY
    const output = normalise(run.stdout);
    const blocks = quotedBlocks().filter((b) => DEMO_SCENARIOS.some((name) => b.marker === `output: ${name}`));
    expect(blocks.map((b) => b.marker).sort()).toEqual(DEMO_SCENARIOS.map((n) => `output: ${n}`).sort());
    for (const block of blocks) expect(output).toContain(normalise(block.text));
  }, 150_000);
});
