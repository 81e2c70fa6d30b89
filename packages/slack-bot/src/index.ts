export { ConfigSchema, loadConfig, slackMode } from './config.js';
export type { Config, SlackMode } from './config.js';
export { VERSION, bootstrapAccount, startServer } from './server.js';
export type { RunningServer, ServerOverrides } from './server.js';
export { restRouter } from './rest/api.js';
export { meOf } from './rest/me.js';
export { buildOpenApi, OPERATIONS } from './rest/openapi.js';
