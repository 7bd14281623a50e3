/** The commented starter written by `saas-readiness init`. */
export const STARTER_CONFIG = `# readiness.yaml — saas-readiness configuration.
# Validate with: npx saas-readiness validate      Run with: npx saas-readiness run
# Both need DATABASE_URL set first (export DATABASE_URL=postgres://user:pass@host:5432/db): validate
# resolves every \${env:NAME} in this file and stops (exit 2) at one that is not set.
# Editor completion: point your YAML extension at node_modules/saas-readiness/schema/readiness.schema.json
# \${env:NAME} is read from the environment when the check runs (\${env:NAME:-default} for a default);
# \${secret:ARN} or \${secret:ARN#key} is read from AWS Secrets Manager at run time, \${ssm:/name} from
# Parameter Store (a deployed config must use these: cdk synth refuses every \${env:…}).
version: 1
suite: my-saas            # names the stack, the dashboard and the metric dimension

sources:                  # named connections, shared by the gates that use them
  appdb:
    type: postgres
    url: \${env:DATABASE_URL}          # deployed: secretArn: arn:aws:secretsmanager:…
  # registry:
  #   type: dynamodb
  #   table: \${env:TENANT_DETAILS_TABLE}   # sbt-aws' TenantDetails has a generated name: see
  #                                   # docs/gates/tenants.md (not the literal TenantDetails)
  #   layout: sbt-aws

gates:
  # Gate 1 — multi-tenant operational: ≥ minTenants active tenants with unique IDs,
  # a config record and a positive quota each.
  tenants:
    source: appdb
    minTenants: 10
    # table: tenants                  # conventions: tenant_id (else id), status = 'active',
    # activeValues: [active]          # quota columns named like quota / rate_limit,
    # quotaColumns: [monthly_quota]   # a row in tenant_configs or a config column
    #
    # Active probes (opt-in; never run with --no-probes):
    # quotaProbe:                     # requests as a TEST tenant until HTTP 429
    #   url: https://api.example.com/v1/ping
    #   tenants:
    #     - id: test-tenant
    #       headers:
    #         x-api-key: \${env:TEST_TENANT_API_KEY}
    #   maxRequests: 50
    # isolationProbe:                 # read-only: RLS enabled + forced, tenant A cannot see B
    #   role: app_user
    #   tables: [documents]
    #   setting: app.current_tenant

  # Gate 2 — cost tracking accurate: the costs the app's ledger attributes to tenants match the
  # AWS bill (Cost Explorer or a CUR export) and the OpenAI bill within ±tolerancePercent, in total
  # and per tenant above materialityUsd; the ledger's newest entry is at most maxLagHours old.
  # Add under sources:
  #   aws-bill:    { type: costexplorer }   # ce:GetCostAndUsage, $0.01 per request (a handful per run);
  #                                         # roleArn: arn:aws:iam::123456789012:role/cost-reader, maxAttempts: 5
  #   bill-export: { type: cur, path: s3://my-cur-bucket/exports/cur.csv.gz }
  #   openai-bill: { type: openai, adminKey: "\${env:OPENAI_ADMIN_KEY}" }
  # cost:
  #   ledger:
  #     source: appdb                   # tenant_costs(tenant_id, usage_date, provider, cost_usd);
  #     # table: tenant_costs           # tenantColumn, dateColumn, providerColumn, costColumn to rename
  #   aws:
  #     source: aws-bill                # or bill-export
  #     tagKey: tenant_id               # an ACTIVATED cost allocation tag
  #     metric: UnblendedCost           # AmortizedCost, NetUnblendedCost (Cost Explorer)
  #     excludeRecordTypes: [Credit, Refund, Tax]
  #     # sharedValue: shared           # pooled resources' tag value
  #   openai:
  #     source: openai-bill
  #     # projects: { proj_abc123: acme }   # without it OpenAI is compared in total only
  #   window: { lastDays: 30, settleDays: 2 }   # or { previousMonth: true }; --from/--to override
  #   tolerancePercent: 5
  #   materialityUsd: 1
  #   maxLagHours: 24

  # Gate 3 — config database stable: every tenant config parses (and validates against schemaFile),
  # a config change reaches the app without a deploy (canary round trip), the config schema has not
  # changed for stableDays (fingerprint history or migrations table), and changes are audited.
  # config:
  #   source: appdb                   # postgres: tenant_configs(tenant_id, config, updated_at);
  #   stableDays: 30                  # dynamodb: sbt-aws TenantDetails.tenantConfig
  #   schemaFile: tenant-config.schema.json
  #   history:                        # fingerprints + probe journal (default .saas-readiness/history.jsonl)
  #     table: ReadinessHistory       # or the DynamoDB table the CDK app deploys (shared by CI runners)
  #   canary:                         # active probe (opt-in; never run with --no-probes): writes a
  #     tenant: test-canary           # nonce under _saasReadinessProbe in THIS tenant only, restores it
  #     effectiveConfigUrl: https://app.example.com/internal/tenants/test-canary/config
  #     propagationLimitSeconds: 10

  # Gate 4 — production monitoring live: per provider, the key is accepted, latency/errors/throughput
  # have data in the last 15 min with ≥ minTenants tenants in the throughput breakdown over 24 h,
  # and enabled, unmuted alerts on errors and latency notify someone. Add under sources:
  #   datadog:  { type: datadog, apiKey: "\${env:DATADOG_API_KEY}", appKey: "\${env:DATADOG_APP_KEY}", site: datadoghq.com }
  #   newrelic: { type: newrelic, apiKey: "\${env:NEW_RELIC_KEY}", accountId: "\${env:NEW_RELIC_ACCOUNT_ID}", region: US }
  #   aws:      { type: cloudwatch, region: eu-west-1 }
  # monitoring:
  #   require: any                    # any: one live provider is enough; all: every one
  #   datadog:
  #     source: datadog
  #     env: prod                     # the env tag of production (DD_ENV); required
  #     tenantTag: tenant_id          # queries: { latency, errors, throughput, tenants } to override
  #   newrelic:
  #     source: newrelic
  #     tenantAttribute: tenant_id    # nrql: { latency, errors, throughput, tenants } (no SINCE)
  #     appName: my-api-production    # the APM app; needed when the account holds more than one
  #   cloudwatch:
  #     source: aws
  #     tenantMetric: { namespace: MySaaS, metricName: Requests, dimension: tenant_id }
`;
