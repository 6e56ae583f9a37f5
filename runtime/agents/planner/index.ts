export * from './planProject';
export * from './plannerInput';
