// The last resort for errors nobody handled: a rejection is logged with its request id and the process keeps
// serving; an uncaught exception is logged and starts the graceful stop (once).
import { AsyncLocalStorage } from 'node:async_hooks';
import { EventEmitter } from 'node:events';

import { pino } from 'pino';
import { Counter, Registry } from 'prom-client';
import { describe, expect, it, vi } from 'vitest';

import { installProcessGuard, type RequestScope } from '../../src/gateway/process-guard.js';

function guarded() {
  const proc = new EventEmitter();
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  const registry = new Registry();
  const counter = new Counter({ name: 't_unhandled', help: 'h', labelNames: ['kind'], registers: [registry] });
  const scope = new AsyncLocalStorage<RequestScope>();
  const onFatal = vi.fn();
  const remove = installProcessGuard({
    process: proc as unknown as NodeJS.Process,
    logger,
    requestScope: scope,
    counter,
    onFatal,
  });
  return { proc, lines, registry, scope, onFatal, remove };
}

describe('process guard', () => {
  it('logs an unhandled rejection with the request it happened in, counts it, and does not stop', async () => {
    const g = guarded();
    g.scope.run({ requestId: 'req-42' }, () => g.proc.emit('unhandledRejection', new Error('lost'), Promise.resolve()));
    expect(g.onFatal).not.toHaveBeenCalled();
    expect(g.lines[0]).toMatchObject({ level: 50, requestId: 'req-42', err: { message: 'lost' } });
    expect(await g.registry.metrics()).toMatch(/t_unhandled\{kind="rejection"\} 1/);
  });

  it('logs an uncaught exception as fatal and asks for the graceful stop once, however many follow', async () => {
    const g = guarded();
    g.proc.emit('uncaughtException', new Error('boom'));
    g.proc.emit('uncaughtException', new Error('again'));
    expect(g.onFatal).toHaveBeenCalledTimes(1);
    expect(g.lines.map((l) => l.level)).toEqual([60, 60]);
    expect(await g.registry.metrics()).toMatch(/t_unhandled\{kind="exception"\} 2/);
  });

  it('removes both handlers when asked', () => {
    const g = guarded();
    g.remove();
    expect(g.proc.listenerCount('unhandledRejection') + g.proc.listenerCount('uncaughtException')).toBe(0);
  });
});
