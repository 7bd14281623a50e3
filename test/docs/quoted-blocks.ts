/** Fenced ```text blocks of the docs and the marker that says where their text comes from. */
import { documentationBlocks } from '../support/markdown';

/** Scenarios produced by running the demo itself (slow: see demo-output.test.ts). */
export const DEMO_SCENARIOS = ['demo-cost-drift', 'demo-config-pass'];

export interface QuotedBlock {
  file: string;
  line: number;
  marker: string | undefined;
  text: string;
}

/** Every ```text block of README.md and docs/, with the marker comment above it. */
export function quotedBlocks(): QuotedBlock[] {
  return documentationBlocks()
    .filter((b) => b.lang === 'text')
    .map(({ file, line, text, comment }) => ({ file, line, text, marker: /^(output: [\w-]+|illustrative: .+)$/.exec(comment ?? '')?.[1] }));
}
