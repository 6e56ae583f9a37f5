export * from './plan';
export * from './project';
export * from './splitTask';
export * from './testReport';
export * from './usage';
