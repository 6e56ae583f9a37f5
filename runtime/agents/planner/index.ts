export * from './planProject';
export * from './plannerInput';
export * from '../defaults';
