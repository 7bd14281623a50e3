import { parseConfig } from '../../../lambda/core/config/load';
import { ConfigError } from '../../../lambda/core/errors';
import { BUILT_IN } from '../../../lambda/registry';

/** The start of a config with a postgres and a Cost Explorer source; a test appends its gates. */
export const BASE = `version: 1
suite: acme
sources:
  appdb: { type: postgres, url: postgres://u:p@h/db }
  ce: { type: costexplorer }
gates:
`;

/** The one-line message the loader refuses `text` with (as readiness.yaml, no env vars). */
export function configError(text: string): string {
  try {
    parseConfig(BUILT_IN, text, 'readiness.yaml', { env: {} });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}
