export * from './plan';
export * from './project';
export * from './splitTask';
export * from './usage';
