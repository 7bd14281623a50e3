/** The inline `file` source: a local JSON-lines file holding a history (gate 3's fingerprints and probe journal). */
import { resolve } from 'node:path';
import { HISTORY } from '../../core/history';
import type { SourceConfig } from '../../core/config/types';
import { opens, type SourceDefinition } from '../../core/source';

export interface FileSourceConfig extends SourceConfig {
  type: 'file';
  /** Relative to the working directory. */
  path: string;
}

export const source: SourceDefinition<FileSourceConfig> = {
  type: 'file',
  title: 'history file',
  module: __filename,
  inline: true,
  schema: {
    type: 'object',
    required: ['type', 'path'],
    additionalProperties: false,
    properties: { type: { const: 'file' }, path: { type: 'string', minLength: 1 } },
  },
  opens: [opens(HISTORY, { open: async (src) => new (require('./history') as typeof import('./history')).FileHistoryStore(resolve(src.path)) })],
};
