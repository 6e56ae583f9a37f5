// The runtime package's own face (its `main`): what a program that embeds the service needs, by area.
// runtime/index.ts is the n8n nodes' internal view, until they become clients of the service.
export { startService, type RunningService, type ServiceRole } from './service/startService';
export { environmentHelp, loadConfig, type ServiceConfig } from './config/environment';
export { describeFailure, type Failure } from './failures';
export { ConflictError, InvalidInputError } from './errors';
export * as contracts from './contracts';
export * as serviceContracts from './contracts/service';
