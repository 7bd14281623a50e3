/**
 * What the CLI needs before it knows the command: option tables, formats and help text. Kept
 * apart from the commands so that `--version` and `--help` load no gate, source, SDK client or renderer.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { ACK_MAX_HOURS } from '../core/acknowledgements';

export const FORMATS = ['text', 'json', 'junit', 'markdown', 'github', 'html'] as const;
export type Format = (typeof FORMATS)[number];

export const ACK_OPTIONS = {
  gate: { type: 'string' },
  owner: { type: 'string' },
  reason: { type: 'string' },
  expires: { type: 'string' },
  'history-table': { type: 'string' },
} satisfies ParseArgsConfig['options'];

export const ACK_HELP = `  saas-readiness ack --gate ID --owner WHO --reason WHY --expires 4h|2d|ISO-TIME
                    [--history-table NAME] [--config FILE]
                                      break glass: let the deploy hook pass while gate ID is
                                      not passing, until the expiry (at most ${ACK_MAX_HOURS / 24} days); shown
                                      in every report until then`;

export function toolVersion(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'saas-readiness') return pkg.version ?? '0.0.0';
    }
    dir = dirname(dir);
  }
  return '0.0.0';
}
