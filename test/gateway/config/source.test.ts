// The config source: one accessor, whose snapshot a reload swaps without the holders noticing.
import { describe, expect, it } from 'vitest';

import { parseConfig } from '../../../src/gateway/config/load.js';
import { createConfigSource } from '../../../src/gateway/config/source.js';
import { ENV, minimalConfig, setAt, toYaml } from './fixtures.js';

describe('createConfigSource', () => {
  const first = parseConfig(toYaml(minimalConfig()), ENV);
  const changed = minimalConfig();
  setAt(changed, 'log_level', 'debug');
  const second = parseConfig(toYaml(changed), ENV);

  it('hands out the initial snapshot until swapped, then the new one', () => {
    const source = createConfigSource(first);
    const holder = { source }; // what a middleware keeps: the source, not a snapshot
    expect(holder.source.current()).toBe(first);
    source.swap(second);
    expect(holder.source.current()).toBe(second);
    expect(holder.source.current().logLevel).toBe('debug');
  });

  it('leaves a snapshot taken before the swap untouched', () => {
    const source = createConfigSource(first);
    const taken = source.current();
    source.swap(second);
    expect(taken).toBe(first);
    expect(taken.logLevel).toBe('info');
  });

  it('is itself frozen', () => {
    const source = createConfigSource(first);
    expect(() => {
      (source as { current: unknown }).current = () => second;
    }).toThrow(TypeError);
  });
});
