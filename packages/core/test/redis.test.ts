import { startRedis } from './support/redis-server.js';
import { multiProcessTests, onServer } from './support/store-suites.js';

describe('Redis: several processes on one account (real redis-server)', function () {
  this.timeout(60_000);
  const { setup } = onServer(startRedis);
  multiProcessTests(setup, { title: 'within 1 s', withinMs: 1_000 });
});
