import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Account } from '@gatehouse/core';
import { Gatehouse, silentLogger } from '@gatehouse/core';
import type { RunningServer } from '@gatehouse/slack-bot';
import { ConfigSchema, startServer } from '@gatehouse/slack-bot';

/** The demo personas with a key from `seedDemo`. */
export type DemoUser = 'UADA' | 'UDEV' | 'UQUINN' | 'USEC' | 'UCI';

interface DemoResult {
  keys: { userId: string; secret: string }[];
}
type SeedDemo = (gatehouse: Gatehouse, accountId: string) => Promise<DemoResult>;

/**
 * `seedDemo` lives in @gatehouse/slack-bot's demo module, which its package entry does not
 * export: load it from beside the entry.
 */
async function loadSeedDemo(): Promise<SeedDemo> {
  const entry = createRequire(import.meta.url).resolve('@gatehouse/slack-bot');
  const mod = (await import(pathToFileURL(join(dirname(entry), 'demo.js')).href)) as { seedDemo: SeedDemo };
  return mod.seedDemo;
}

export interface DemoServer {
  readonly url: string;
  readonly gatehouse: Gatehouse;
  readonly account: Account;
  readonly server: RunningServer;
  key(user: DemoUser): string;
  /** A fresh personal token for any demo user (created by Ada, an Admin). */
  tokenFor(userId: string): Promise<string>;
  close(): Promise<void>;
}

export const DEMO_ACCOUNT = 'TDEMO';

export interface DemoOptions {
  /**
   * Seed the demo data this long ago (ms): its approvals were requested then, so a reminder
   * policy of at least a minute (the core's floor) already finds them overdue. The server runs
   * on the real clock afterwards.
   */
  readonly seededAgoMs?: number;
}

/** A real Gatehouse server on 127.0.0.1 with an in-memory store and the demo data. */
export async function startDemoServer(opts: DemoOptions = {}): Promise<DemoServer> {
  let offset = opts.seededAgoMs ?? 0;
  const gatehouse = await Gatehouse.open({ url: 'memory', logger: silentLogger, clock: { now: () => Date.now() - offset } });
  const seedDemo = await loadSeedDemo();
  const demo = await seedDemo(gatehouse, DEMO_ACCOUNT);
  offset = 0;
  const config = ConfigSchema.parse({ PORT: '0', HOST: '127.0.0.1', GATEHOUSE_STORE: 'memory', GATEHOUSE_ACCOUNT_ID: DEMO_ACCOUNT, GATEHOUSE_RATE_LIMIT: '100000' });
  const server = await startServer(config, { gatehouse, logger: silentLogger });
  const account = await gatehouse.account(DEMO_ACCOUNT);
  return {
    url: server.url,
    gatehouse,
    account,
    server,
    key: (user) => demo.keys.find((k) => k.userId === user)?.secret ?? assert.fail(`seedDemo made no key for ${user}`),
    tokenFor: async (userId) => (await gatehouse.createKey(account, { userId: 'UADA' }, { name: `test: ${userId}`, kind: 'personal_token', ownerId: userId })).secret,
    async close() {
      await server.close();
      await gatehouse.close();
    },
  };
}
