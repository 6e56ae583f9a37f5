// The runtime package's own face (its `main`): what a program that embeds the service needs, by area.
// The n8n nodes import none of it: they are clients of the service's HTTP API, and share only the
// types of runtime/contracts (erased at build) and runtime/planning/taskGraph.js.
export { startService, type RunningService, type ServiceRole } from './bin/startService';
export { environmentHelp, loadConfig, type ServiceConfig } from './config/environment';
export { describeFailure, type Failure } from './failures';
export { ConflictError, InvalidInputError } from './errors';
export * as contracts from './contracts';
export * as serviceContracts from './contracts/service';
