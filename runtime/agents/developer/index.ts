export * from './developTask';
export * from './selectContext';
