// hyparquet publishes its page-level functions under `hyparquet/src/*.js` (package.json "exports")
// with types in `hyparquet/types/*.d.ts`; this repo's Node10 module resolution does not read
// "exports", so the modules are declared here against those published types.
declare module 'hyparquet/src/column.js' {
  export { parquetHeader } from 'hyparquet/types/column';
}
declare module 'hyparquet/src/datapage.js' {
  export { decompressPage, readDataPage, readDataPageV2 } from 'hyparquet/types/datapage';
}
declare module 'hyparquet/src/convert.js' {
  export { convert, convertWithDictionary, DEFAULT_PARSERS } from 'hyparquet/types/convert';
}
declare module 'hyparquet/src/plain.js' {
  export { readPlain } from 'hyparquet/types/plain';
}
declare module 'hyparquet/src/schema.js' {
  export { getSchemaPath, getMaxDefinitionLevel, getMaxRepetitionLevel } from 'hyparquet/types/schema';
}
declare module 'hyparquet/src/encoding.js' {
  export { readRleBitPackedHybrid } from 'hyparquet/types/encoding';
}
