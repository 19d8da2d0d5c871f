// The active faults, their remaining counts, and the seeded decision of which ones hit a request.
import { schemaAsserter } from './ajv.js';
import { type Fault, faultListSchema, type FaultRoute } from './fault-spec.js';
import { seededRandom } from './prng.js';

export interface ActiveFault extends Fault {
  /** Requests it will still apply to; null when unlimited. */
  remaining: number | null;
}

export interface FaultDecision {
  /** Sum of the latency faults that hit. */
  delayMs: number;
  /** The first non-latency fault that hit, if any: it decides how the request ends. */
  outcome: Fault | null;
}

export interface FaultBook {
  /** Replaces the list (after checking it) and restarts the PRNG, so a run is repeatable from here. */
  set(faults: unknown): void;
  list(): ActiveFault[];
  clear(): void;
  decide(route: FaultRoute): FaultDecision;
}

export const assertFaults: (value: unknown) => asserts value is Fault[] = schemaAsserter<Fault[]>(
  faultListSchema,
  'fault list',
);

const isCreateOnly = (fault: Fault) => fault.kind === 'create-then-hang' || fault.kind === 'create-then-reset';

export function createFaultBook(seed: number, initial: readonly Fault[] = []): FaultBook {
  let faults: ActiveFault[] = [];
  let random = seededRandom(seed);
  const book: FaultBook = {
    set(list) {
      assertFaults(list);
      faults = list.map((fault) => ({ ...fault, remaining: fault.count ?? null }));
      random = seededRandom(seed);
    },
    list: () => faults.map((fault) => ({ ...fault })),
    clear() {
      faults = [];
    },
    decide(route) {
      const decision: FaultDecision = { delayMs: 0, outcome: null };
      for (const fault of faults) {
        const applies = (fault.route ?? '*') === '*' || fault.route === route;
        if (!applies || fault.remaining === 0 || (isCreateOnly(fault) && route !== 'create')) continue;
        const isLatency = fault.kind === 'latency';
        // Only one fault can decide the outcome; later ones neither draw nor spend their count.
        if (!isLatency && decision.outcome) continue;
        if (fault.fraction !== undefined && random() >= fault.fraction) continue;
        if (fault.remaining !== null) fault.remaining -= 1;
        if (isLatency) decision.delayMs += fault.ms ?? 0;
        else decision.outcome = fault;
      }
      return decision;
    },
  };
  book.set([...initial]);
  return book;
}
