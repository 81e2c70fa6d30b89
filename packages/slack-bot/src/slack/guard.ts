import type { Logger } from '@gatehouse/core';
import type { RequestHandler } from 'express';

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
