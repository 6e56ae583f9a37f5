export { detectBubblewrap, isSecretEnv, probeBubblewrap, DEFAULT_LIMITS, type BubblewrapProbe } from './isolation';
export { resolveSandbox, runInSandbox, type SandboxChoice, type SandboxOptions, type SandboxResult } from './runInSandbox';
export { chooseRunner, detectPython, isNodeTestFile, pythonFor, runTests, type PythonInfo, type RunnerName, type RunTestsOptions } from './runners';
