/** The `openai` source: OpenAI's organization costs API, read as gate 2's OpenAI bill. */
import { OPENAI_BILL } from '../../checks/cost/ports';
import { opens, type SourceDefinition } from '../../core/source';
import { OpenAiCostsBill, openAiSourceSchema, type OpenAiSourceConfig } from './costs';

export type { OpenAiSourceConfig } from './costs';

export const source: SourceDefinition<OpenAiSourceConfig> = {
  type: 'openai',
  title: 'OpenAI',
  module: __filename,
  schema: openAiSourceSchema,
  opens: [opens(OPENAI_BILL, { open: (src, _options, ctx) => new OpenAiCostsBill(src, ctx.secrets, ctx.deadline) })],
};
