import { Registry } from './core/registry';
import { GATES } from './gates';
import { SOURCES } from './sources';

/** Every built-in gate and source: what the CLI, the CDK app and the package's API use. */
export const BUILT_IN = new Registry(GATES, SOURCES);
