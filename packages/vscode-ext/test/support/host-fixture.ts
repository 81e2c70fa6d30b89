/**
 * What the host tests add to the demo data to show follow-up and delegation, shared by the
 * driver (test/host) and the extension-host suite (test/suite), which asserts the words.
 */
const HOUR = 3_600_000;

/** The driver seeds the demo this long ago (see `DemoOptions.seededAgoMs`). */
export const SEEDED_AGO_MS = 3 * HOUR;

/**
 * Put on the production rule: reminders after 1 h, time-out after 8 h. With the seed 3 h old a
 * production version reads "overdue · waiting 3 h · times out in 5 h".
 */
export const PRODUCTION_POLICY = { remindAfterMs: HOUR, timeoutAfterMs: 8 * HOUR } as const;

/** Sec (Security) names Quinn (QA) as stand-in for Security approvals, this long. */
export const DELEGATION_MS = 10 * 24 * HOUR;
