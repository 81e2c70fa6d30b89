export * from './chain.js';
export * from './review.js';
