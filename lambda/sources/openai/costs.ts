import type { JsonSchema } from '../../core/config/json-schema';
import type { SourceConfig } from '../../core/config/types';
import { describeError } from '../../core/errors';
import { redact, registerSecret } from '../../core/redact';
import type { SecretResolver } from '../../core/secrets';
import { moneyFromNumber, type Money } from '../../checks/cost/money';
import { BillSourceError, type ActualBill, type BillSource } from '../../checks/cost/ports';
import { exclusiveEnd, parseDay, type CostWindow } from '../../checks/cost/window';

/** `sources.<name>` with `type: openai`: the organization costs API. */
export interface OpenAiSourceConfig extends SourceConfig {
  type: 'openai';
  /** An organization admin key: `${env:OPENAI_ADMIN_KEY}` or `${secret:ARN}`. */
  adminKey: string;
  /** Default https://api.openai.com/v1. */
  baseUrl?: string;
  /** Daily buckets per page (1–180). Default 180. */
  pageSize?: number;
  /** Per request. Default 30. */
  requestTimeoutSeconds?: number;
}

export const openAiSourceSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'adminKey'],
  description: 'OpenAI organization costs API (GET /v1/organization/costs) with an admin key.',
  properties: {
    type: { const: 'openai' },
    adminKey: { type: 'string', minLength: 1, description: 'Admin key: ${env:OPENAI_ADMIN_KEY} or ${secret:ARN}; never a literal.' },
    baseUrl: { type: 'string', pattern: '^https?://', default: 'https://api.openai.com/v1', description: 'API base URL (a proxy or a local stand-in).' },
    pageSize: { type: 'integer', minimum: 1, maximum: 180, default: 180, description: 'Daily buckets per page.' },
    requestTimeoutSeconds: { type: 'number', exclusiveMinimum: 0, maximum: 120, default: 30 },
  },
};

interface CostsPage {
  data?: { start_time?: number; results?: { amount?: { value?: number; currency?: string }; project_id?: string | null }[] }[];
  has_more?: boolean;
  next_page?: string | null;
}

/**
 * The actual OpenAI bill: daily cost buckets grouped by project over the window (end_time
 * exclusive), every page followed. Project IDs are the allocation keys; org-level costs without a
 * project go under the empty key.
 */
export class OpenAiCostsBill implements BillSource {
  readonly provider = 'openai' as const;

  constructor(private readonly src: OpenAiSourceConfig, private readonly secrets: SecretResolver) {}

  async fetch(window: CostWindow, signal: AbortSignal): Promise<ActualBill> {
    const key = await this.secrets.resolve(this.src.adminKey);
    registerSecret(key);
    const base = (this.src.baseUrl ?? 'https://api.openai.com/v1').replace(/\/+$/, '');
    const start = parseDay(window.from)!.getTime() / 1000;
    const end = parseDay(exclusiveEnd(window))!.getTime() / 1000;
    const groups = new Map<string, Money>();
    const currencies = new Set<string>();
    const seen = new Set<string>();
    let page: string | undefined;
    let requests = 0;
    do {
      const url = new URL(`${base}/organization/costs`);
      url.search = new URLSearchParams({
        start_time: String(start),
        end_time: String(end),
        bucket_width: '1d',
        group_by: 'project_id',
        limit: String(this.src.pageSize ?? 180),
        ...(page ? { page } : {}),
      }).toString();
      const body = await this.get(url, key, signal);
      requests++;
      for (const bucket of body.data ?? []) {
        for (const r of bucket.results ?? []) {
          if (typeof r.amount?.value !== 'number') throw new BillSourceError('OpenAI costs API returned a result without amount.value');
          currencies.add((r.amount.currency ?? '(none)').toUpperCase());
          const project = r.project_id ?? '';
          groups.set(project, (groups.get(project) ?? 0n) + moneyFromNumber(r.amount.value));
        }
      }
      page = body.has_more && body.next_page ? body.next_page : undefined;
      if (body.has_more && !body.next_page) throw new BillSourceError('OpenAI costs API said has_more without a next_page');
      if (page && seen.has(page)) throw new BillSourceError('OpenAI costs API repeated a next_page cursor; stopped paging');
      if (page) seen.add(page);
    } while (page);
    if ([...currencies].some((c) => c !== 'USD')) {
      throw new BillSourceError(`OpenAI costs are in ${[...currencies].join(' and ')}; only a bill entirely in USD can be reconciled with the USD ledger`);
    }
    return {
      source: `OpenAI organization costs by project (${base}, ${requests} page(s))`,
      groups,
      estimated: [],
      notes: [],
    };
  }

  private async get(url: URL, key: string, signal: AbortSignal): Promise<CostsPage> {
    const timeout = (this.src.requestTimeoutSeconds ?? 30) * 1000;
    let res: Response;
    try {
      res = await fetch(url, { headers: { Authorization: `Bearer ${key}`, Accept: 'application/json' }, signal: AbortSignal.any([signal, AbortSignal.timeout(timeout)]) });
    } catch (err) {
      throw new BillSourceError(`OpenAI costs API at ${url.origin}: ${describeError((err as { cause?: unknown }).cause ?? err)}`);
    }
    const text = await res.text();
    if (!res.ok) {
      let detail = '';
      try {
        detail = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? '';
      } catch {
        detail = text.slice(0, 200);
      }
      const why = redact(`HTTP ${res.status}${detail ? `: ${detail}` : ''}`);
      if (res.status === 401 || res.status === 403) {
        throw new BillSourceError(
          `OpenAI rejected the admin key (${why})`,
          'Use an organization admin key (Settings → Organization → Admin keys) with read access to usage; a project key cannot read organization costs.',
        );
      }
      if (res.status === 429) throw new BillSourceError(`OpenAI rate-limited the costs API (${why})`, 'Run the check again later or less often.');
      throw new BillSourceError(`OpenAI costs API answered ${why}`);
    }
    try {
      return JSON.parse(text) as CostsPage;
    } catch {
      throw new BillSourceError(`OpenAI costs API answered HTTP ${res.status} with a body that is not JSON`);
    }
  }
}
