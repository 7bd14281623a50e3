import type { EffectiveConfig } from '../../checks/config/ports';
import { describeError, SourceError } from '../../core/errors';
import { readText } from './json-request';

/** The app's effective config over HTTP GET; headers carry credentials (resolved secrets). */
export class HttpEffectiveConfig implements EffectiveConfig {
  constructor(
    readonly url: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  /** The JSON body; throws naming the URL and the cause (network, status, cut-off or non-JSON body). */
  async fetch(signal: AbortSignal): Promise<string> {
    let res: Response;
    try {
      res = await fetch(this.url, { headers: { accept: 'application/json', ...this.headers }, signal, redirect: 'manual' });
    } catch (err) {
      throw new Error(`GET ${this.url}: ${describeError((err as { cause?: unknown }).cause ?? err)}`);
    }
    let body: string;
    try {
      body = await readText(res);
    } catch (err) {
      if (signal.aborted) throw new Error(`GET ${this.url}: ${describeError(signal.reason ?? err)}`);
      if (err instanceof SourceError)
        throw new SourceError(err.kind, `GET ${this.url}: response ${err.message} (HTTP ${res.status}); stopped reading`, { status: res.status });
      throw new Error(`GET ${this.url}: response body cut off (HTTP ${res.status}): ${describeError((err as { cause?: unknown }).cause ?? err)}`);
    }
    if (!res.ok) throw new Error(`GET ${this.url}: HTTP ${res.status}`);
    // A login page or proxy error served with 200 is not the app's config: say so rather than
    // reporting the change as not visible. The body itself is not quoted (it may hold secrets).
    try {
      JSON.parse(body);
    } catch {
      throw new Error(
        `GET ${this.url}: malformed response: not JSON (${res.headers.get('content-type') ?? 'no content-type'}, ${Buffer.byteLength(body)} bytes)`,
      );
    }
    return body;
  }
}
