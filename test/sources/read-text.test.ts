import { SourceError } from '../../lambda/core/errors';
import { readText } from '../../lambda/sources/http/json-request';

/** A Response whose body arrives in the given chunks, recording whether the reader cancelled it. */
function streamed(chunks: string[], headers: Record<string, string> = {}) {
  const state = { pulled: 0, cancelled: false };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (state.pulled === chunks.length) return controller.close();
      controller.enqueue(new TextEncoder().encode(chunks[state.pulled++]));
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { res: new Response(body, { headers }), state };
}

describe('readText: an answer read up to a size limit', () => {
  it('reads a body in chunks, multi-byte characters split across chunks included', async () => {
    const euro = '€'; // three bytes in UTF-8, split between two chunks below
    const bytes = new TextEncoder().encode(`{"price": "${euro}5"}`);
    const cut = bytes.indexOf(0xe2) + 1;
    expect(await readText(streamed([]).res, 100)).toBe('');
    const split = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, cut));
        controller.enqueue(bytes.slice(cut));
        controller.close();
      },
    });
    expect(await readText(new Response(split), 100)).toBe('{"price": "€5"}');
  });

  it('reads exactly the limit, and cancels the stream one byte past it', async () => {
    const ok = streamed(['12345', '67890']);
    expect(await readText(ok.res, 10)).toBe('1234567890');
    const over = streamed(['12345', '67890', 'x', 'a', 'b', 'c', 'd']);
    await expect(readText(over.res, 10)).rejects.toMatchObject({ kind: 'too-large', message: `larger than ${10 / 2 ** 20} MiB` });
    expect(over.state.cancelled).toBe(true);
    // The stream may have pulled one chunk ahead of the reader, no more.
    expect(over.state.pulled).toBeLessThanOrEqual(4);
  });

  it('refuses an answer that declares more than the limit without reading it', async () => {
    const declared = streamed(['{}'], { 'content-length': '11' });
    const err = await readText(declared.res, 10).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SourceError);
    expect((err as Error).message).toBe(`larger than ${10 / 2 ** 20} MiB`);
    expect(declared.state.pulled).toBe(0);
  });
});
