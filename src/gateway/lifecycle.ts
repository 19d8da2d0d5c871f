/** @module The gateway process's lifecycle as a value: parts that must know of shutdown are handed this object. */

export interface Lifecycle {
  /** True once shutdown has begun; there is no way back. */
  readonly shuttingDown: boolean;
  /** Called by the server when shutdown starts: readiness then answers 503, so load balancers stop sending. */
  beginShutdown(): void;
  /** Runs `listener` when shutdown begins (at once if it has): waiting long-polls are answered then. */
  onShutdown(listener: () => void): void;
}

export function createLifecycle(): Lifecycle {
  let shuttingDown = false;
  const listeners: Array<() => void> = [];
  return {
    get shuttingDown() {
      return shuttingDown;
    },
    beginShutdown() {
      if (shuttingDown) return;
      shuttingDown = true;
      for (const listener of listeners.splice(0)) listener();
    },
    onShutdown(listener) {
      if (shuttingDown) listener();
      else listeners.push(listener);
    },
  };
}
