// make run's readable log view: which lines a terminal sees, and how; the JSON/readable choice.
import { describe, expect, it } from 'vitest';

import { readableLine, wantsPretty } from '../../src/dev/log-view.js';

const at = new Date(2025, 0, 31, 10, 4, 11).getTime(); // local time: the view shows the clock of the terminal
const json = (entry: Record<string, unknown>) =>
  JSON.stringify({ level: 30, time: at, pid: 4242, hostname: 'box', service: 'datapump-gateway', ...entry });
const access = (url: string, status = 200) =>
  json({
    msg: 'request completed',
    req: { id: 'r-1', method: 'GET', url },
    res: { statusCode: status },
    responseTime: 1.5,
    tenant: 'hr-team',
  });

describe('readableLine', () => {
  const view = readableLine('gateway', { colorize: false });

  it.each([
    [
      'a message with fields',
      json({ msg: 'datapump-gateway listening', tenants: 3 }),
      'gateway   [10:04:11] INFO: datapump-gateway listening {"tenants":3}\n',
    ],
    ['a warning', json({ level: 40, msg: 'careful' }), 'gateway   [10:04:11] WARN: careful\n'],
    [
      'an access line, said in its message',
      access('/databases/orcl/datapump/jobs/', 201),
      'gateway   [10:04:11] INFO: request completed: GET /databases/orcl/datapump/jobs/ 201 (1.5 ms) {"tenant":"hr-team"}\n',
    ],
    [
      'a line that is not JSON',
      'ORDS emulator listening on http://x/',
      'gateway   ORDS emulator listening on http://x/\n',
    ],
    ['JSON that is not an object', '[1,2]', 'gateway   [1,2]\n'],
  ])('%s: one line, no pid, hostname or service', (_what, line, expected) => {
    expect(view(line)).toBe(expected);
  });

  it.each(['/readyz', '/healthz', '/livez', '/readyz?verbose=1'])(
    'leaves out the probe %s, whatever its status',
    (url) => {
      expect(view(access(url))).toBeUndefined();
      expect(view(access(url, 503))).toBeUndefined();
    },
  );

  it.each(['/readyzz', '/databases/orcl/readyz', '/metrics'])('keeps %s, which is no probe', (url) => {
    expect(view(access(url))).toContain(`GET ${url} 200`);
  });

  it('never prints an escape sequence without colours', () => {
    expect(view(json({ level: 50, msg: 'boom', err: { message: 'x' } }))).not.toContain('\x1b[');
  });
});

describe('wantsPretty', () => {
  it.each([
    [{}, true, true],
    [{}, false, false],
    [{ DATAPUMP_RUN_PRETTY: '1' }, false, true],
    [{ DATAPUMP_RUN_PRETTY: '0' }, true, false],
    [{ DATAPUMP_RUN_PRETTY: 'yes' }, false, false],
  ])('%o on a TTY %s: %s', (env, tty, expected) => {
    expect(wantsPretty(env, tty)).toBe(expected);
  });
});
