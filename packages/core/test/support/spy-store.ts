import type { z } from 'zod';
import type { Commit, LogStore, Snapshot } from '../../src/index.js';

/** A store that reports where each replay started, and can pretend no snapshot exists. */
export class SpyStore implements LogStore {
  readonly readFrom: number[] = [];
  constructor(
    private readonly inner: LogStore,
    private readonly snapshots = true,
  ) {}
  get kind() {
    return this.inner.kind;
  }
  readCommits(accountId: string, afterSeq: number): Promise<Commit[]> {
    this.readFrom.push(afterSeq);
    return this.inner.readCommits(accountId, afterSeq);
  }
  tryAppend(accountId: string, commit: Commit): Promise<boolean> {
    return this.inner.tryAppend(accountId, commit);
  }
  async loadSnapshot(accountId: string): Promise<Snapshot | undefined> {
    return this.snapshots ? this.inner.loadSnapshot(accountId) : undefined;
  }
  saveSnapshot(accountId: string, snapshot: Snapshot): Promise<void> {
    return this.inner.saveSnapshot(accountId, snapshot);
  }
  getMeta<T>(key: string, schema: z.ZodType<T>): Promise<T | undefined> {
    return this.inner.getMeta(key, schema);
  }
  setMeta(key: string, value: unknown): Promise<void> {
    return this.inner.setMeta(key, value);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
