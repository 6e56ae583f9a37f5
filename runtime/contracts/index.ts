export * from './approval';
export * from './outcome';
export * from './plan';
export * from './project';
export * from './report';
export * from './testReport';
export * from './usage';
export * from './webhooks';
