/** Baton as a library: open a store and use the same `Baton` interface the CLI uses. */
export type * from './app/baton.js';
export { LocalBaton } from './app/local-baton.js';
export { type OpenOptions, openBaton } from './app/open.js';
export { BatonError, ERROR_CODES, type ErrorCode } from './core/errors.js';
export { DEFAULT_POLICY, type Policy } from './core/policy.js';
export type { Priority, Task, TaskEvent, TaskStatus, Worker, WorkerView } from './core/types.js';
