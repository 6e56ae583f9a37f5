// The Redis project store: one place where a project's state, history and listing live.
export * from './connection';
export * from './errors';
export { StoreKeys } from './keys';
export { DEFAULT_STORE_LIMITS, type StoreLimits } from '../contracts/limits';
export { canMoveProject, canMoveTask, isActiveStatus, nextProjectStatuses, TERMINAL_STATUSES, WORKING_STATUSES } from './lifecycle';
export * from './projectStore';
export * from './projectRuns';
