/** @module The gateway process's lifecycle as a value: parts that must know of shutdown are handed this object. */

export interface Lifecycle {
  /** True once shutdown has begun; there is no way back. */
  readonly shuttingDown: boolean;
  /** Called by the server when shutdown starts: readiness then answers 503, so load balancers stop sending. */
  beginShutdown(): void;
}

export function createLifecycle(): Lifecycle {
  let shuttingDown = false;
  return {
    get shuttingDown() {
      return shuttingDown;
    },
    beginShutdown() {
      shuttingDown = true;
    },
  };
}
