// Public surface of the ORDS emulator: the factory, its options, clocks, id sources and fault types.
export {
  type Clock,
  DEFAULT_MANUAL_START,
  isManualClock,
  type ManualClock,
  manualClock,
  systemClock,
} from './clock.js';
export type { ActiveFault } from './fault-book.js';
export {
  DEFAULT_REDIRECT_LOCATION,
  type Fault,
  FAULT_KINDS,
  FAULT_ROUTES,
  type FaultKind,
  type FaultRoute,
} from './fault-spec.js';
export { type IdSource, randomIds, sequentialIds } from './ids.js';
export type { AddedJobSpec } from './job-store.js';
export type { AddedEnding } from './log-text.js';
export {
  DEFAULT_OPTIONS,
  type DumpMediaType,
  type EmulatorOptions,
  type Lifecycle,
  type PagingParam,
  type ResolvedOptions,
  resolveOptions,
  type ValidateMode,
  type VanishedFiles,
} from './options.js';
export { DEFAULT_ORDS_VERSION, type OrdsRelease, ordsRelease } from './ords-release.js';
export type { RecordedRequest } from './recorder.js';
export { createEmulator, type Emulator, startEmulator } from './server.js';
