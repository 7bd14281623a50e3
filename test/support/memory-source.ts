/**
 * A `memory` source for tests: it opens every gate's ports with small in-memory adapters whose
 * answers make each gate PASS. Registered next to the built-in sources, it shows that a source is
 * one entry, and lets the real gates run without a backend.
 */
import { AWS_BILL, COST_LEDGER, OPENAI_BILL } from '../../lambda/checks/cost/ports';
import { CANARY_STORE, CONFIG_STORE, type CanaryDocument } from '../../lambda/checks/config/ports';
import { MONITORING_PROVIDER } from '../../lambda/checks/monitoring/ports';
import { TENANT_STORE } from '../../lambda/checks/tenants/ports';
import { parseMoney } from '../../lambda/checks/cost/money';
import { opens, type SourceDefinition } from '../../lambda/core/source';

const TENANTS = Array.from({ length: 12 }, (_, i) => `t${String(i + 1).padStart(2, '0')}`);
const DAY = 86_400_000;

export const memorySource: SourceDefinition = {
  type: 'memory',
  title: 'in-memory test backend',
  module: __filename,
  schema: { type: 'object', additionalProperties: false, required: ['type'], properties: { type: { const: 'memory' } } },
  opens: [
    opens(TENANT_STORE, {
      open: () => ({
        census: async () => ({
          store: 'memory',
          total: TENANTS.length,
          active: TENANTS.length,
          activeRule: 'all',
          configRule: 'all',
          missingConfig: { count: 0, examples: [] },
          quotaFields: ['quota'],
          missingQuota: { count: 0, examples: [] },
          activeIds: async function* () {
            yield TENANTS;
          },
          notes: [],
        }),
        close: async () => undefined,
      }),
    }),
    opens(COST_LEDGER, {
      open: () => ({
        summarize: async () => ({
          source: 'memory ledger',
          totals: TENANTS.map((tenant) => ({ tenant, provider: 'aws', amount: parseMoney('10') })),
          newest: { at: new Date(), dateOnly: false },
        }),
        close: async () => undefined,
      }),
    }),
    opens(AWS_BILL, {
      open: () => ({
        provider: 'aws' as const,
        fetch: async () => ({ source: 'memory bill', groups: new Map(TENANTS.map((t) => [t, parseMoney('10')])), estimated: [], notes: [] }),
      }),
    }),
    opens(OPENAI_BILL, {
      open: () => ({ provider: 'openai' as const, fetch: async () => ({ source: 'memory', groups: new Map(), estimated: [], notes: [] }) }),
    }),
    opens(CONFIG_STORE, {
      open: () => ({
        snapshot: async () => ({
          store: 'memory configs',
          configs: TENANTS.map((tenantId) => ({ tenantId, raw: '{"plan":"pro","quota":5}' })),
          structure: ['config text'],
        }),
        lastMigration: async () => ({ source: 'memory migrations', appliedAt: new Date(Date.now() - 90 * DAY) }),
        auditTrail: async (_since: Date, _key: string, nonce: string | undefined) => ({
          present: true,
          where: 'memory audit',
          changes: 0,
          recordedNonce: nonce ? true : undefined,
        }),
        close: async () => undefined,
      }),
    }),
    opens(CANARY_STORE, {
      open: () => {
        let doc: CanaryDocument = { config: '{"plan":"test"}', stamp: '1' };
        return {
          describe: () => 'memory canary',
          read: async () => doc,
          write: async (_t: string, expected: CanaryDocument, next: string) =>
            expected.config === doc.config ? ((doc = { config: next, stamp: String(Number(doc.stamp) + 1) }), true) : false,
          restore: async (_t: string, current: string, original: CanaryDocument) => (current === doc.config ? ((doc = original), true) : false),
          close: async () => undefined,
        };
      },
    }),
    opens(MONITORING_PROVIDER, {
      open: () => ({
        id: 'memory',
        label: 'memory monitoring',
        credentialsTitle: 'key valid',
        verifyCredentials: async () => 'key of test@example.com',
        readSignals: async () => ({
          latency: { query: 'latency', samples: 15, unit: 'datapoints' as const },
          errors: { query: 'errors', samples: 15, unit: 'datapoints' as const },
          throughput: { query: 'throughput', samples: 15, unit: 'datapoints' as const },
        }),
        tenantBreakdown: async () => ({ query: 'by tenant', by: 'tenant_id', tenants: TENANTS }),
        alertRules: async () => [
          { id: '1', name: 'API errors', query: 'errors > 1', enabled: true, notifies: ['@oncall'] },
          { id: '2', name: 'API latency p99', query: 'latency > 1', enabled: true, notifies: ['@oncall'] },
        ],
      }),
    }),
  ],
};

/** A config under which every built-in gate PASSes on the memory source (gate 3 keeps its history in a file: set `history.file`). */
export const MEMORY_CONFIG = {
  version: 1 as const,
  suite: 'memtest',
  sources: { mem: { type: 'memory' } },
  gates: {
    tenants: { source: 'mem' },
    cost: { ledger: { source: 'mem' }, aws: { source: 'mem' }, window: { from: '2026-01-01', to: '2026-01-31' } },
    config: { source: 'mem', canary: { tenant: 'test-canary' } },
    monitoring: { memory: { source: 'mem' } },
  },
};
