export { detectBubblewrap, probeBubblewrap, type BubblewrapProbe } from './isolation';
export { resolveSandbox, runInSandbox, type SandboxOptions, type SandboxResult } from './runInSandbox';
export { chooseRunner, detectPython, isNodeTestFile, runTests, type RunnerName, type RunTestsOptions } from './runners';
