// ETags on a job: stable while nothing changes, new when the state changes, and 304 for If-None-Match.
import { describe, expect, it } from 'vitest';

import { BASIC, call } from './helpers/client.js';
import { startTestEmulator } from './helpers/start.js';

const auth = { authorization: BASIC };

describe('ETag and If-None-Match', () => {
  it('answers 304 with the ETag and no body while the job is unchanged; 200 once it changed', async () => {
    const { jobs, clock } = await startTestEmulator({ jobDurationMs: 1000 });
    const created = await call(jobs, { headers: auth, body: { operation: 'EXPORT' } });
    const url = created.headers.location!;
    const first = await call(url, { headers: auth });
    expect(first.headers.etag).toBe(created.headers.etag);
    expect((await call(url, { headers: auth })).headers.etag).toBe(first.headers.etag);

    const notModified = await call(url, { headers: { ...auth, 'if-none-match': first.headers.etag! } });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.etag).toBe(first.headers.etag);
    expect(notModified.text).toBe('');

    // Weak comparison and lists, as RFC 9110 says.
    expect(
      (await call(url, { headers: { ...auth, 'if-none-match': `"other", W/${first.headers.etag}` } })).status,
    ).toBe(304);
    expect((await call(url, { headers: { ...auth, 'if-none-match': '*' } })).status).toBe(304);

    clock.advance(1000);
    const changed = await call(url, { headers: { ...auth, 'if-none-match': first.headers.etag! } });
    expect(changed.status).toBe(200);
    expect(changed.json.state).toBe('COMPLETED');
    expect(changed.headers.etag).not.toBe(first.headers.etag);
  });

  it('a different tag gets the full answer', async () => {
    const { jobs } = await startTestEmulator();
    const created = await call(jobs, { headers: auth, body: { operation: 'EXPORT' } });
    const res = await call(created.headers.location!, { headers: { ...auth, 'if-none-match': '"nope"' } });
    expect(res.status).toBe(200);
  });
});
