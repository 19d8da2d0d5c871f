// What every ORDS route handler receives: the emulator's state and one request's parsed facts.
import type { IncomingMessage } from 'node:http';

import type { Authenticator, Principal } from './auth.js';
import type { BodyValidator } from './body-validator.js';
import type { ParsedBody } from './http-body.js';
import type { JobStore } from './job-store.js';
import type { ResolvedOptions } from './options.js';
import type { OrdsRelease } from './ords-release.js';
import type { OrdsRoute } from './router.js';
import type { TokenStore } from './tokens.js';
import type { ApiUrls } from './urls.js';

/** Long-lived state of one emulator instance (nothing lives at module level). */
export interface EmulatorState {
  readonly options: ResolvedOptions;
  readonly jobs: JobStore;
  readonly tokens: TokenStore;
  readonly auth: Authenticator;
  /** Create-body checks of the `validate` mode, for the release played. */
  readonly validator: BodyValidator;
  /** The ORDS release played (`ordsVersion`). */
  readonly release: OrdsRelease;
}

export interface RequestContext {
  readonly req: IncomingMessage;
  readonly route: OrdsRoute;
  readonly query: URLSearchParams;
  readonly body: ParsedBody;
  /** The query string as received (with `?`), for `self` links. */
  readonly search: string;
  readonly urls: ApiUrls;
  /** Read once per request, so one answer never mixes two instants. */
  readonly now: number;
}

export interface AuthenticatedContext extends RequestContext {
  readonly principal: Principal;
}
