import type { Logger } from '@gatehouse/core';
import type { RequestHandler } from 'express';

/**
 * Refuses a Slack request whose Content-Length is over `limit` bytes with 413 before anything reads
 * it: Node then discards the body unread, and the sender gets the answer (Bolt's own limit, which
 * reads up to it first, leaves the connection reset under a sender still writing).
 */
export function refuseLargeBodies(logger: Logger, limit: number): RequestHandler {
  return (req, res, next) => {
    const length = Number(req.headers['content-length']);
    if (Number.isFinite(length) && length > limit) {
      logger.warn('refused a Slack request body over the limit', { bytes: length, limit });
      res.status(413).type('text/plain').send(`request body over ${limit} bytes`);
      return;
    }
    next();
  };
}

/**
 * Refuses Slack requests dated more than `maxSkewSeconds` in the future. Bolt refuses old
 * timestamps (replays) but accepts future ones, which would let a captured-in-advance request
 * be replayed later; this runs on the Slack endpoint before Bolt's router.
 */
export function refuseFutureRequests(logger: Logger, maxSkewSeconds = 300, now: () => number = Date.now): RequestHandler {
  return (req, res, next) => {
    const header = req.headers['x-slack-request-timestamp'];
    const ts = Number(Array.isArray(header) ? header[0] : header);
    if (Number.isFinite(ts) && ts > Math.floor(now() / 1000) + maxSkewSeconds) {
      logger.warn('refused a Slack request dated in the future', { timestamp: ts, skewSeconds: ts - Math.floor(now() / 1000) });
      res.status(401).type('text/plain').send('request timestamp is in the future');
      return;
    }
    next();
  };
}
