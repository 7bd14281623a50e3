/** PGlite over the wire protocol in a process of its own, for benchmarks: prints its URL, stops on SIGTERM. */
import { startEmbeddedPostgres } from '../demo/embedded-postgres';

startEmbeddedPostgres().then((pg) => {
  process.stdout.write(`${pg.url}\n`);
  process.on('SIGTERM', () => void pg.stop().then(() => process.exit(0)));
});
