export * from './developAndTest';
export * from './developerStep';
export * from './projectFiles';
export * from './testerStep';
export * from './publishProject';
export * from './plannerStep';
export * from './reviewerStep';
