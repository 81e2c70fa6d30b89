/**
 * `@gatehouse/slack-bot/testing`: the fake Slack Web API and the signed-request builders, for
 * other packages of the repository (the benchmark). Test support only: nothing in `src` imports it.
 */
export { FakeSlack, manifestBotScopes } from './fake-slack.js';
export type { Call, FakeSlackOptions, PostedMessage } from './fake-slack.js';
export { MANIFEST, findButton, textOf } from './slack-harness.js';
export { blockActionPayload, interactionBody, postSigned, sign, signedHeaders } from './slack-requests.js';
export type { BlockActionFields, SignOptions } from './slack-requests.js';
export { FakeGithub, deploymentProtectionRulePayload, githubEnv } from './fake-github.js';
export { setupSlack } from './slack-harness.js';
export type { SlackCtx } from './slack-harness.js';
