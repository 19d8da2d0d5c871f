/** @module `datapump-gateway/client`: a typed client of the datapump-gateway public API. */
export {
  type CallOptions,
  createDatapumpClient,
  type CreateOptions,
  type DatapumpClient,
  type DatapumpClientOptions,
  exportBody,
  type ExportOptions,
  type FetchLike,
  importBody,
  type ImportOptions,
  type ListOptions,
  problemError,
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
  type ProblemFields,
  problemMessage,
} from './errors.js';
export { dumpLinks, fileNameOf, formatJobRef, inList, isTerminal, logLink, parseJobRef, sqlLiteral } from './jobs.js';
export {
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
  TERMINAL_STATES,
  type TerminalState,
} from './types.js';
