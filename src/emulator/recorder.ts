// Keeps the latest requests received on ORDS routes, so tests can assert what actually reached "ORDS".
import type { IncomingHttpHeaders } from 'node:http';

export interface RecordedRequest {
  method: string;
  /** Path without the query. */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** Parsed JSON or form body; raw text otherwise; absent when empty. */
  body?: unknown;
  /** ISO time from the emulator's clock. */
  receivedAt: string;
}

export interface Recorder {
  add(entry: RecordedRequest): void;
  list(): RecordedRequest[];
  clear(): void;
}

/** A bounded log: only the latest `capacity` requests, so a long benchmark does not grow memory. */
export function createRecorder(capacity: number): Recorder {
  let entries: RecordedRequest[] = [];
  return {
    add(entry) {
      if (capacity === 0) return;
      entries.push(entry);
      // Trim in batches rather than shifting on every request.
      if (entries.length > capacity * 2) entries = entries.slice(-capacity);
    },
    list: () => entries.slice(-capacity),
    clear() {
      entries = [];
    },
  };
}
