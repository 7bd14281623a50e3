import { describeError } from '../../core/errors';
import type { QuotaProbe, QuotaProbeConfig, QuotaProbeResult, QuotaProbeTenant } from '../../checks/tenants/ports';
import type { SecretResolver } from '../../core/secrets';

/**
 * Sends requests one at a time as each test tenant until the API answers 429, never more than
 * `maxRequests` and never past `timeoutSeconds`. Sequential on purpose: the bound is exact.
 */
export class HttpQuotaProbe implements QuotaProbe {
  readonly requireRetryAfter: boolean;

  constructor(
    private readonly cfg: QuotaProbeConfig,
    private readonly secrets: SecretResolver,
  ) {
    this.requireRetryAfter = cfg.requireRetryAfter ?? false;
  }

  async run(signal: AbortSignal): Promise<QuotaProbeResult[]> {
    const results: QuotaProbeResult[] = [];
    for (const tenant of this.cfg.tenants) results.push(await this.probeTenant(tenant, signal));
    return results;
  }

  private async probeTenant(tenant: QuotaProbeTenant, signal: AbortSignal): Promise<QuotaProbeResult> {
    const max = this.cfg.maxRequests ?? 50;
    const budgetMs = (this.cfg.timeoutSeconds ?? 20) * 1000;
    const perRequestMs = (this.cfg.requestTimeoutSeconds ?? 5) * 1000;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(tenant.headers ?? {})) headers[k] = await this.secrets.resolve(v);
    const url = await this.secrets.resolve(this.cfg.url);
    const started = Date.now();
    const result: QuotaProbeResult = { tenant: tenant.id, sent: 0, maxRequests: max, elapsedMs: 0, statusCounts: {} };
    while (result.sent < max) {
      if (signal.aborted) {
        result.stoppedBy = 'gate deadline';
        break;
      }
      const left = budgetMs - (Date.now() - started);
      if (left <= 0) {
        result.stoppedBy = `probe time limit of ${budgetMs / 1000} s`;
        break;
      }
      result.sent++;
      let res: Response;
      try {
        res = await fetch(url, {
          method: this.cfg.method ?? 'GET',
          headers,
          body: this.cfg.body,
          redirect: 'manual',
          signal: AbortSignal.any([signal, AbortSignal.timeout(Math.min(perRequestMs, left))]),
        });
        await res.arrayBuffer().catch(() => undefined);
      } catch (err) {
        result.stoppedBy = `request ${result.sent}: ${describeError((err as { cause?: unknown }).cause ?? err)}`;
        break;
      }
      result.statusCounts[res.status] = (result.statusCounts[res.status] ?? 0) + 1;
      if (res.status === 429) {
        result.limitedAt = result.sent;
        const retryAfter = res.headers.get('retry-after');
        if (retryAfter) result.retryAfter = retryAfter;
        break;
      }
      if (res.status === 401 || res.status === 403) {
        result.stoppedBy = `the tenant's credential was rejected (HTTP ${res.status})`;
        break;
      }
      if (res.status >= 300) {
        result.stoppedBy = `unexpected HTTP ${res.status}`;
        break;
      }
    }
    result.elapsedMs = Date.now() - started;
    return result;
  }
}
