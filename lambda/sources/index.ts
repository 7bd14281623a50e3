/**
 * The registered source types, one entry file per backend. Adding a source: write
 * `lambda/sources/<type>/index.ts` exporting a `SourceDefinition` as `source`, and add it here.
 */
import type { SourceDefinition } from '../core/source';
import { source as cloudwatch } from './cloudwatch';
import { source as athena } from './athena';
import { source as costexplorer } from './costexplorer';
import { source as csv } from './csv';
import { source as cur } from './cur';
import { source as datadog } from './datadog';
import { source as dataexport } from './dataexport';
import { source as dynamodb } from './dynamodb';
import { source as file } from './file';
import { source as http } from './http';
import { source as newrelic } from './newrelic';
import { source as openai } from './openai';
import { source as postgres } from './postgres';

export const SOURCES: readonly SourceDefinition[] = [
  postgres,
  dynamodb,
  csv,
  costexplorer,
  cur,
  dataexport,
  athena,
  openai,
  datadog,
  newrelic,
  cloudwatch,
  http,
  file,
];
