export * from './decide.js';
export * from './policy.js';
export { ScheduleIndex, scheduleOf } from './schedule.js';
