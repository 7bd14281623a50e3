/** The `openai` source: OpenAI's organization costs API, read as gate 2's OpenAI bill. */
import { OPENAI_BILL } from '../../checks/cost/ports';
import { opens, type SourceDefinition } from '../../core/source';
import { openAiSourceSchema, type OpenAiSourceConfig } from './schema';

export type { OpenAiSourceConfig } from './schema';

export const source: SourceDefinition<OpenAiSourceConfig> = {
  type: 'openai',
  title: 'OpenAI',
  module: __filename,
  schema: openAiSourceSchema,
  opens: [
    opens(OPENAI_BILL, {
      open: async (src, _options, ctx) => new (require('./costs') as typeof import('./costs')).OpenAiCostsBill(src, ctx.secrets, ctx.deadline),
    }),
  ],
};
