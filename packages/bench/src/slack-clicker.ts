#!/usr/bin/env node
/**
 * The Slack benchmark's load generator, a child process of its own: it sends a burst of signed
 * POSTs when the parent asks and reports when each response came. Apart from the server, the
 * parent process serves the fake Slack, whose work (the server's chat.update calls arrive during
 * a burst) would otherwise be timed as ack latency.
 */
import { Agent, request } from 'node:http';
import { signedHeaders } from '@gatehouse/slack-bot/testing';

/** The parent asks for one burst: every body at once, signed with `secret`. */
export interface BurstRequest {
  readonly type: 'burst';
  readonly url: string;
  readonly secret: string;
  readonly bodies: readonly string[];
  /** The status every response should have. */
  readonly expect: number;
}

/** One request of a burst. Times are `performance.timeOrigin + performance.now()` (comparable across processes). */
export interface Sent {
  readonly t0: number;
  /** Until the response headers (NaN when the request failed). */
  readonly ms: number;
  readonly status: number;
  readonly error: string | null;
}

export interface BurstReply {
  readonly type: 'burst';
  readonly sent: readonly Sent[];
}

const now = () => performance.timeOrigin + performance.now();

/**
 * POSTs a body and resolves when the response headers arrive (the ack). node:http, not fetch
 * (the tests' `postSigned`): a burst of 100 fetches costs several times the CPU, which on two
 * cores shared with the server would be measured as server latency.
 */
function post(agent: Agent, url: URL, headers: Record<string, string>, body: string): Promise<{ t0: number; ms: number; status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const t0 = now();
    const req = request(url, { method: 'POST', agent, headers }, (res) => {
      const ms = now() - t0;
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ t0, ms, status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Every body at once, each on its own new connection (as independent deliveries from Slack would arrive). */
async function burst(r: BurstRequest): Promise<Sent[]> {
  const url = new URL(r.url);
  // Signed before the first is sent, so signing is not in anyone's time.
  const signed = r.bodies.map((body) => ({ body, headers: { ...signedHeaders(r.secret, body), 'content-length': String(Buffer.byteLength(body)) } }));
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  try {
    return await Promise.all(
      signed.map(async ({ body, headers }) => {
        const t0 = now();
        try {
          const res = await post(agent, url, headers, body);
          return { t0: res.t0, ms: res.ms, status: res.status, error: res.status === r.expect ? null : `${url.pathname} answered ${String(res.status)}: ${res.text}` };
        } catch (err) {
          return { t0, ms: Number.NaN, status: 0, error: `POST ${url.pathname} failed: ${err instanceof Error ? err.message : String(err)}` };
        }
      }),
    );
  } finally {
    agent.destroy();
  }
}

process.on('message', (m: BurstRequest) => {
  if (m.type !== 'burst') return;
  void burst(m).then((sent) => process.send?.({ type: 'burst', sent } satisfies BurstReply));
});
process.once('disconnect', () => process.exit(0));
