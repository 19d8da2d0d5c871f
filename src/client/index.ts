/** @module `datapump-gateway/client`: a typed client of the datapump-gateway public API. */
export {
  createDatapumpClient,
  exportBody,
  importBody,
  problemError,
  type CallOptions,
  type CreateOptions,
  type DatapumpClient,
  type DatapumpClientOptions,
  type ExportOptions,
  type FetchLike,
  type ImportOptions,
  type ListOptions,
  type RetryOptions,
  type WaitOptions,
  type WaitProgress,
} from './client.js';
export {
  DatapumpError,
  DatapumpJobFailedError,
  DatapumpNetworkError,
  DatapumpProblemError,
  DatapumpWaitTimeoutError,
  problemMessage,
  type ProblemFields,
} from './errors.js';
export { dumpLinks, fileNameOf, formatJobRef, inList, isTerminal, logLink, parseJobRef, sqlLiteral } from './jobs.js';
export {
  TERMINAL_STATES,
  type ExportJobRequest,
  type ImportJobRequest,
  type Job,
  type JobCollection,
  type JobLink,
  type JobMode,
  type JobRef,
  type JobRequest,
  type Problem,
  type ProblemError,
  type ProblemType,
  type RemapSchema,
  type TerminalState,
} from './types.js';
