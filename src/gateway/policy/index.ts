/** @module The job-request policy: tenant grants, the expression grammar and the canonical request sent to ORDS. */
export { evaluatePolicy } from './evaluate.js';
export { serializeExpression, namedByEquality, type Expression } from './expression.js';
export { parseExpression, type ParseOptions, type ParseResult } from './parse-expression.js';
export { parseLegacyFilter, type FilterResult } from './legacy-filter.js';
export { directoryFileNameFault } from './file-name.js';
export { checkObjectUri, type ObjectUriResult } from './object-uri.js';
export {
  DEFAULT_LIMITS,
  type JobMode,
  type JobRequest,
  type Operation,
  type PolicyDecision,
  type PolicyInput,
  type PolicyLimits,
  type TenantPolicy,
  type Violation,
} from './types.js';
