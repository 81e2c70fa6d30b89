export * from './decide.js';
export * from './queries.js';
