export * from './paths';
export * from './materialize';
export * from './git';
export * from './github';
