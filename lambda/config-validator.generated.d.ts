/* The type of lambda/config-validator.generated.js (ajv standalone code; `npm run schema` writes it). */
import type { ConfigValidator } from './core/registry';

declare const validate: ConfigValidator;
export = validate;
