/** @module The job-request policy: tenant grants, the expression grammar and the canonical request sent to ORDS. */
export { evaluatePolicy } from './evaluate.js';
export { type Expression, serializeExpression } from './expression.js';
export { type FilterResult, parseLegacyFilter } from './legacy-filter.js';
export type { ObjectUriResult } from './object-uri.js';
export { parseExpression, type ParseOptions, type ParseResult } from './parse-expression.js';
export {
  type JobMode,
  type JobRequest,
  type Operation,
  type PolicyDecision,
  type PolicyInput,
  type PolicyLimits,
  type TenantPolicy,
  type Violation,
} from './types.js';
