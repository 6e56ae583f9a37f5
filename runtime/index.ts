// The agent runtime: what the n8n nodes and the background worker both run.
export * from './agents/planner';
export * from './contracts';
export * from './errors';
export * from './llm';
export * from './planning/taskGraph';
export * from './prompts/renderPrompt';
export * from './sandbox';
export * from './state';
export * from './workspace';
export * from './agents/developer';
export * from './agents/tester';
export * from './agents/reporter';
export * from './pipeline';
