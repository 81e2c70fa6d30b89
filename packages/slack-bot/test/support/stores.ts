import type { OwnPostgres, startOwnPostgres } from '../../../core/dist/test/support/postgres-server.js';
import type { OwnRedis, startOwnRedis } from '../../../core/dist/test/support/redis-server.js';

/**
 * The core's test servers (a private redis-server, a private PostgreSQL cluster), loaded from the
 * core's build as the bench loads them: the server's tests run against the same real stores.
 */
const coreSupport = (file: string) => new URL(`../../../../core/dist/test/support/${file}`, import.meta.url).href;

/** A private redis-server on a free port; with `appendonly`, it keeps its data across kill and restart. */
export async function ownRedis(opts: { appendonly?: boolean } = {}): Promise<OwnRedis> {
  const support = (await import(coreSupport('redis-server.js'))) as { startOwnRedis: typeof startOwnRedis };
  return support.startOwnRedis(opts);
}

/** A private PostgreSQL cluster on a free port, which a test may stop and start again. */
export async function ownPostgres(): Promise<OwnPostgres> {
  const support = (await import(coreSupport('postgres-server.js'))) as { startOwnPostgres: typeof startOwnPostgres };
  return support.startOwnPostgres();
}
