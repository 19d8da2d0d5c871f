// Public surface of the ORDS emulator: the factory, its options, clocks, id sources and fault types.
export { createEmulator, startEmulator, type Emulator } from './server.js';
export { DEFAULT_OPTIONS, resolveOptions, type EmulatorOptions, type ResolvedOptions } from './options.js';
export {
  DEFAULT_MANUAL_START,
  isManualClock,
  manualClock,
  systemClock,
  type Clock,
  type ManualClock,
} from './clock.js';
export { randomIds, sequentialIds, type IdSource } from './ids.js';
export {
  DEFAULT_REDIRECT_LOCATION,
  FAULT_KINDS,
  FAULT_ROUTES,
  type Fault,
  type FaultKind,
  type FaultRoute,
} from './fault-spec.js';
export type { ActiveFault } from './fault-book.js';
export type { RecordedRequest } from './recorder.js';
