export * from './licenses';
export * from './packagingFiles';
