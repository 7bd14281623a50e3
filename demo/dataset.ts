/**
 * A realistic multi-tenant dataset in the shape the course built: tenants over Free/Pro/Enterprise
 * tiers with quotas and database-driven configs, and an RLS-protected documents table read by a
 * non-superuser app role. Used by the demo and by the tests.
 */
export interface DemoTenant {
  id: string;
  name: string;
  tier: 'free' | 'pro' | 'enterprise';
  status: 'active' | 'suspended' | 'deleted';
}

const TIER_QUOTAS = {
  free: { monthly_token_quota: 100_000, rate_limit_rpm: 20 },
  pro: { monthly_token_quota: 2_000_000, rate_limit_rpm: 120 },
  enterprise: { monthly_token_quota: 50_000_000, rate_limit_rpm: 600 },
};

export const DEMO_TENANTS: DemoTenant[] = [
  { id: 'acme-legal', name: 'Acme Legal', tier: 'enterprise', status: 'active' },
  { id: 'globex-health', name: 'Globex Health', tier: 'enterprise', status: 'active' },
  { id: 'initech', name: 'Initech', tier: 'pro', status: 'active' },
  { id: 'umbrella-research', name: 'Umbrella Research', tier: 'pro', status: 'active' },
  { id: 'hooli-docs', name: 'Hooli Docs', tier: 'pro', status: 'active' },
  { id: 'stark-eng', name: 'Stark Engineering', tier: 'enterprise', status: 'active' },
  { id: 'wayne-finance', name: 'Wayne Finance', tier: 'pro', status: 'active' },
  { id: 'cyberdyne', name: 'Cyberdyne', tier: 'free', status: 'active' },
  { id: 'soylent-foods', name: 'Soylent Foods', tier: 'free', status: 'active' },
  { id: 'tyrell-bio', name: 'Tyrell Bio', tier: 'pro', status: 'active' },
  { id: 'wonka-labs', name: 'Wonka Labs', tier: 'free', status: 'active' },
  { id: 'test-canary', name: 'Readiness canary (test tenant)', tier: 'free', status: 'active' },
  { id: 'oscorp', name: 'Oscorp', tier: 'pro', status: 'suspended' },
  { id: 'vandelay', name: 'Vandelay Industries', tier: 'free', status: 'deleted' },
];

const q = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** SQL that creates and fills the demo schema (idempotent: drops what it creates first). */
export function demoSchemaSql(tenants: DemoTenant[] = DEMO_TENANTS): string {
  const rows = tenants
    .map((t) => {
      const quota = TIER_QUOTAS[t.tier];
      return `(${q(t.id)}, ${q(t.name)}, ${q(t.tier)}, ${q(t.status)}, ${quota.monthly_token_quota}, ${quota.rate_limit_rpm})`;
    })
    .join(',\n  ');
  const configs = tenants
    .filter((t) => t.status !== 'deleted')
    .map((t) => {
      const cfg = {
        model: t.tier === 'free' ? 'gpt-4o-mini' : 'gpt-4o',
        retrieval: { topK: t.tier === 'enterprise' ? 20 : 8, shard: `shard-${(t.id.length % 4) + 1}` },
        features: { citations: true, sso: t.tier === 'enterprise' },
      };
      return `(${q(t.id)}, ${q(JSON.stringify(cfg))}::jsonb)`;
    })
    .join(',\n  ');
  const docs = tenants
    .filter((t) => t.status === 'active')
    .flatMap((t, i) => Array.from({ length: 2 + (i % 3) }, (_, n) => `(${q(t.id)}, ${q(`${t.name} handbook part ${n + 1}`)})`))
    .join(',\n  ');
  return `
DROP TABLE IF EXISTS documents, tenant_configs, tenants CASCADE;
CREATE TABLE tenants (
  tenant_id text PRIMARY KEY,
  name text NOT NULL,
  tier text NOT NULL,
  status text NOT NULL DEFAULT 'active',
  monthly_token_quota bigint,
  rate_limit_rpm integer,
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO tenants (tenant_id, name, tier, status, monthly_token_quota, rate_limit_rpm) VALUES
  ${rows};
CREATE TABLE tenant_configs (
  tenant_id text PRIMARY KEY REFERENCES tenants(tenant_id),
  config jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO tenant_configs (tenant_id, config) VALUES
  ${configs};
CREATE TABLE documents (
  id serial PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(tenant_id),
  title text NOT NULL
);
INSERT INTO documents (tenant_id, title) VALUES
  ${docs};
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'app_user') THEN
    CREATE ROLE app_user NOLOGIN NOBYPASSRLS;
  END IF;
END $$;
GRANT SELECT ON documents TO app_user;
ALTER TABLE documents ENABLE ROW LEVEL SECURITY;
ALTER TABLE documents FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON documents
  USING (tenant_id = current_setting('app.current_tenant', true));
`;
}
