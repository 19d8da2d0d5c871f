// Loads and checks the JSON config file (`--config`), whose keys are the factory's option names.
import { readFileSync } from 'node:fs';

import { schemaAsserter } from './ajv.js';
import { manualClock, systemClock } from './clock.js';
import type { EmulatorOptions } from './options.js';
import { configFileSchema } from './options-schema.js';
import { ordsVersionProblem } from './ords-release.js';
import { parseByteSize } from './sizes.js';
import { checkTimeZone } from './time-format.js';

/** The plain-data form: the factory's options, with the clock chosen by name instead of passed as an object. */
export type EmulatorConfig = Omit<EmulatorOptions, 'clock' | 'ids'> & {
  /** `real` (default) or `manual`: time only moves through `POST /__emulator/clock`. */
  clock?: 'real' | 'manual';
  /** Start of the manual clock (ISO 8601); implies `clock: "manual"`. Default 2019-09-06T15:57:36Z. */
  clockStart?: string;
  /** PEM files of the server certificate and key (`--tls-cert`, `--tls-key`): serve HTTPS. Both or neither. */
  tlsCertFile?: string;
  tlsKeyFile?: string;
  /** PEM file of the CA whose client certificates are required (`--tls-ca`): mutual TLS. */
  tlsCaFile?: string;
};

const assertConfig: (value: unknown) => asserts value is EmulatorConfig = schemaAsserter<EmulatorConfig>(
  configFileSchema,
  'emulator config',
);
const SIZE_KEYS = ['logBytes', 'dumpBytes', 'bodyLimitBytes'] as const;

/** Accepts sizes written as `"1GiB"` as well as numbers, then checks the whole object. */
export function checkConfig(value: unknown, where = 'config'): EmulatorConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`${where} must be a JSON object`);
  const copy: Record<string, unknown> = { ...value };
  for (const key of SIZE_KEYS) if (typeof copy[key] === 'string') copy[key] = parseByteSize(copy[key] as string);
  try {
    assertConfig(copy);
    if (copy.dbTimeZone !== undefined) checkTimeZone(copy.dbTimeZone);
    const versionProblem = copy.ordsVersion === undefined ? undefined : ordsVersionProblem(copy.ordsVersion);
    if (versionProblem) throw new Error(versionProblem);
  } catch (error) {
    throw new Error(`${where}: ${(error as Error).message}`, { cause: error });
  }
  return copy;
}

export function loadConfigFile(path: string): EmulatorConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read config file ${path}: ${(error as Error).message}`, { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`config file ${path} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  return checkConfig(value, `config file ${path}`);
}

/** Turns the plain config into factory options (building the clock it names, reading the TLS files it names). */
export function toEmulatorOptions(config: EmulatorConfig): EmulatorOptions {
  const { clock, clockStart, tlsCertFile, tlsKeyFile, tlsCaFile, ...rest } = config;
  const manual = clock === 'manual' || (clock === undefined && clockStart !== undefined);
  const tls =
    tlsCertFile && tlsKeyFile
      ? {
          cert: readPem(tlsCertFile, '--tls-cert'),
          key: readPem(tlsKeyFile, '--tls-key'),
          ...(tlsCaFile ? { ca: readPem(tlsCaFile, '--tls-ca') } : {}),
        }
      : undefined;
  return { ...rest, ...(tls ? { tls } : {}), clock: manual ? manualClock(clockStart ?? undefined) : systemClock() };
}

function readPem(path: string, flag: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`${flag}: cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
}
