export * from './plan';
export * from './splitTask';
export * from './usage';
