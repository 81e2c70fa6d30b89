export * from './decide.js';
export * from './evaluate.js';
export * from './queries.js';
