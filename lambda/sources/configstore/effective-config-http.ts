import type { EffectiveConfig } from '../../checks/config/ports';
import { describeError } from '../../core/errors';

/** The app's effective config over HTTP GET; headers carry credentials (resolved secrets). */
export class HttpEffectiveConfig implements EffectiveConfig {
  constructor(
    readonly url: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  async fetch(signal: AbortSignal): Promise<string> {
    let res: Response;
    try {
      res = await fetch(this.url, { headers: { accept: 'application/json', ...this.headers }, signal, redirect: 'manual' });
    } catch (err) {
      throw new Error(`GET ${this.url}: ${describeError((err as { cause?: unknown }).cause ?? err)}`);
    }
    const body = await res.text();
    if (!res.ok) throw new Error(`GET ${this.url}: HTTP ${res.status}`);
    return body;
  }
}
