/** @module The configuration package: load and validate the YAML file, hand the snapshot around. */
export type * from './types.js';
export { ConfigError } from './errors.js';
export { loadConfig, parseConfig, type LoadConfigOptions, type ParseConfigOptions } from './load.js';
export { createConfigSource, type SwappableConfigSource } from './source.js';
export type { Env } from './interpolate.js';
export { hashApiKey, generateApiKey } from './api-key.js';
