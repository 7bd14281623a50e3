/** A JSON Schema document or fragment (draft 2020-12 as validated by ajv). */
export type JsonSchema = { [keyword: string]: unknown };
