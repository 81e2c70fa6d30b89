/**
 * Preloaded (`node --import`) into the Slack benchmark's server child, which is otherwise the
 * unmodified `main.js`: times every request to the Slack endpoint inside the server (Node's
 * diagnostics channels) and hands the times to the parent over IPC when asked. It changes
 * nothing the server does.
 */
import { subscribe } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

/** The parent asks for (and resets) the times; the child answers with them. */
export interface ProbeRequest {
  readonly type: 'slack-times';
}
export interface ProbeReply {
  readonly type: 'slack-times';
  /**
   * Per request to `/slack/events` since the last ask, in milliseconds until the response
   * finished: from the connection being accepted (the request's wait for the event loop
   * included), and from its headers being parsed.
   */
  readonly fromAccept: readonly number[];
  readonly fromHeaders: readonly number[];
}

const now = () => Number(process.hrtime.bigint()) / 1e6;
const accepted = new WeakMap<Socket, number>();
const started = new WeakMap<IncomingMessage, { accepted: number; headers: number }>();
let fromAccept: number[] = [];
let fromHeaders: number[] = [];
subscribe('net.server.socket', (m) => {
  accepted.set((m as { socket: Socket }).socket, now());
});
subscribe('http.server.request.start', (m) => {
  const request = (m as { request: IncomingMessage }).request;
  const t = now();
  // A kept-alive connection's later requests start when their headers arrive.
  const a = accepted.get(request.socket) ?? t;
  accepted.delete(request.socket);
  if (request.url === '/slack/events') started.set(request, { accepted: a, headers: t });
});
subscribe('http.server.response.finish', (m) => {
  const s = started.get((m as { request: IncomingMessage }).request);
  if (!s) return;
  const t = now();
  fromAccept.push(t - s.accepted);
  fromHeaders.push(t - s.headers);
});
process.on('message', (m: ProbeRequest) => {
  if (m.type !== 'slack-times') return;
  process.send?.({ type: 'slack-times', fromAccept, fromHeaders } satisfies ProbeReply);
  fromAccept = [];
  fromHeaders = [];
});
// The bench going away (even on a crash) stops the server as an operator would.
process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
