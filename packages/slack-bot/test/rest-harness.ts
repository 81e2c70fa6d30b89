import assert from 'node:assert/strict';
import type { Logger } from '@gatehouse/core';
import { FakeClock, Gatehouse } from '@gatehouse/core';
import { ConfigSchema } from '../src/config.js';
import { seedDemo } from '../src/demo.js';
import type { RunningServer } from '../src/server.js';
import { startServer } from '../src/server.js';

/**
 * The REST tests' harness: a server on a random port over an in-memory store with two demo
 * accounts (TDEMO, served, and TOTHER), the demo personas' keys, and `call` for JSON requests.
 */
export const silent = { info: () => {}, warn: () => {}, error: () => {} };

export async function setup(env: Record<string, string> = {}, logger: Logger = silent) {
  const clock = new FakeClock(Date.now());
  const gatehouse = await Gatehouse.open({ url: 'memory', clock });
  const demo = await seedDemo(gatehouse, 'TDEMO');
  const other = await seedDemo(gatehouse, 'TOTHER');
  const config = ConfigSchema.parse({ PORT: '0', HOST: '127.0.0.1', GATEHOUSE_STORE: 'memory', GATEHOUSE_ACCOUNT_ID: 'TDEMO', ...env });
  const server: RunningServer = await startServer(config, { gatehouse, logger });
  const key = (userId: string, d = demo) => d.keys.find((k) => k.userId === userId)?.secret ?? assert.fail(`no key for ${userId}`);
  const call = async (method: string, path: string, opts: { key?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.key) headers['authorization'] = `Bearer ${opts.key}`;
    let body: string | undefined;
    if (opts.raw !== undefined) body = opts.raw;
    else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${server.url}/api/v1${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await res.text();
    return { status: res.status, json: text ? (JSON.parse(text) as unknown) : null, headers: res.headers };
  };
  const account = await gatehouse.account('TDEMO');
  const close = async () => {
    await server.close();
    await gatehouse.close();
  };
  return { server, gatehouse, clock, demo, other, key, call, account, close };
}

export type Ctx = Awaited<ReturnType<typeof setup>>;
export const errorCode = (j: unknown) => (j as { error?: { code?: string } }).error?.code;
