import validate = require('./config-validator.generated');
import { Registry } from './core/registry';
import { GATES } from './gates';
import { SOURCES } from './sources';

/**
 * Every built-in gate and source: what the CLI, the CDK app and the package's API use. Its config
 * validator is compiled ahead of time (`npm run schema`), so no process compiles the schema at start-up.
 */
export const BUILT_IN = new Registry(GATES, SOURCES, { validator: validate });
