export * from './lineDiff';
export * from './reviewWork';
