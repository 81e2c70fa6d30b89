#!/usr/bin/env node
/**
 * The gate as the common manual-approval Actions wait: a pipeline step (its own process, like
 * `gatehouse gate --wait`) that asks every `interval` whether the version may go, and exits 0 when
 * it may (1 when it was rejected). It asks the same server the same question as the CLI, without
 * the long-poll: a full evaluation each time, then a sleep. Prints `polling` after its first
 * answer (so the bench knows it runs) and `ready` when it sees the approval.
 *
 * Usage: gate-poller.js <interval ms> <product> <version> <environment>, with GATEHOUSE_URL and
 * GATEHOUSE_TOKEN in the environment as for the CLI.
 */
import { API_PREFIX, EvaluationSchema, VersionListResponseSchema } from '@gatehouse/core/contract';
import type { z } from 'zod';

const [interval, product = '', version = '', environment = ''] = process.argv.slice(2);
const api = `${process.env['GATEHOUSE_URL'] ?? ''}${API_PREFIX}`;
const headers = { authorization: `Bearer ${process.env['GATEHOUSE_TOKEN'] ?? ''}`, accept: 'application/json' };

async function get<T>(path: string, schema: z.ZodType<T>): Promise<T> {
  const res = await fetch(`${api}${path}`, { headers });
  if (!res.ok) throw new Error(`GET ${path} answered ${String(res.status)}: ${await res.text()}`);
  return schema.parse(await res.json());
}

async function main(): Promise<number> {
  const { items } = await get(`/versions?${new URLSearchParams({ productId: product, version }).toString()}`, VersionListResponseSchema);
  const id = items[0]?.id;
  if (!id) throw new Error(`${product} ${version} is not registered`);
  const path = `/versions/${encodeURIComponent(id)}/evaluation?environmentId=${encodeURIComponent(environment)}`;
  for (let polls = 0; ; polls++) {
    const e = await get(path, EvaluationSchema);
    if (e.ready) {
      process.stdout.write('ready\n');
      return 0;
    }
    if (e.requirements.some((r) => r.rejectedBy.length > 0)) return 1;
    if (polls === 0) process.stdout.write('polling\n');
    await new Promise((resolve) => setTimeout(resolve, Number(interval)));
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(3);
  },
);
