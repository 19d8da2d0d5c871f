/** @module The configuration package: load and validate the YAML file, hand the snapshot around. */
export { generateApiKey, hashApiKey } from './api-key.js';
export { ConfigError } from './errors.js';
export type { Env } from './interpolate.js';
export { loadConfig, type LoadConfigOptions, parseConfig, type ParseConfigOptions } from './load.js';
export { createConfigSource, type SwappableConfigSource } from './source.js';
export type * from './types.js';
