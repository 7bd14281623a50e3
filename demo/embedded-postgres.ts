import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgres {
  /** postgres:// URL for the pg driver. */
  url: string;
  db: PGlite;
  stop(): Promise<void>;
}

/**
 * PostgreSQL in-process (PGlite) served over the real wire protocol on 127.0.0.1 (a free port),
 * so the production `pg` adapter connects to it unchanged. One session is shared by all clients:
 * keep per-check settings transaction-scoped. `loadDataDir` starts from a dumped data folder.
 */
export async function startEmbeddedPostgres(opts: { loadDataDir?: Blob } = {}): Promise<EmbeddedPostgres> {
  // A data folder dumped by dumpDataDir() skips initdb: ~3 s instead of 7–10 s on a 2-core machine.
  const db = await PGlite.create(opts.loadDataDir ? { loadDataDir: opts.loadDataDir } : {});
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 16 });
  await server.start();
  const port = Number(server.getServerConn().split(':').pop());
  return {
    url: `postgres://postgres:pglite-demo@127.0.0.1:${port}/postgres?sslmode=disable`,
    db,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
