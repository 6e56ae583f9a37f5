export * from './writeTests';
