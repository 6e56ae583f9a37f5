export * from './reporterInput';
export * from './writeReport';
