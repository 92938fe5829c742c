export { type RewrapExecutor, type RewrapResult, rewrapBatch } from './rewrap-executor.js';
export { checkRotateOptions, kidBucket, rotateStore } from './rotate.js';
export type {
  JoinOptions,
  JoinSummary,
  RotateFailure,
  RotateHooks,
  RotateOptions,
  RotateProgress,
  RotateReport,
} from './types.js';
