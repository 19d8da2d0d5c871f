/** @module The published JSON Schema of the config file, compiled with Ajv exactly as the loader uses it. */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

// The schema is published in config/ for editors and users; importing it (rather than reading it at
// run time) makes `tsc` copy it next to the compiled code, so src/ and dist/ behave alike.
import configSchema from '../../../config/gateway-config.schema.json' with { type: 'json' };

export const CONFIG_SCHEMA: Readonly<Record<string, unknown>> = configSchema;

/**
 * `format: uri` as the gateway needs it: RFC 3986 syntax (ajv-formats) and parseable by the WHATWG
 * URL parser that Node's HTTP client will use; ajv-formats alone accepts `http://h:99999/`.
 */
const rfc3986 = addFormats.default.get('uri');
function isUrl(text: string): boolean {
  const syntaxOk =
    typeof rfc3986 === 'function' ? rfc3986(text) : rfc3986 instanceof RegExp ? rfc3986.test(text) : true;
  return syntaxOk && URL.canParse(text);
}

export type SchemaError = ErrorObject & { propertyName?: string };

/**
 * Compiles a fresh validator. Called once per load (start-up or reload), so keeping no compiled
 * validator at module level costs a few milliseconds and leaves no shared mutable state behind
 * (an Ajv validator keeps its last `errors` on itself).
 */
export function compileConfigSchema(): ValidateFunction {
  const ajv = new Ajv2020({
    allErrors: true, // report every fault in one go, not the first
    verbose: true, // errors carry their schema, where `patternErrorMessage` lives
    useDefaults: true, // defaults are written once, in the published schema
    strict: true,
    // `oneOf: [{ required: [basic] }, { required: [oauth2] }]` names properties declared one level up.
    strictRequired: false,
  });
  ajv.addFormat('uri', isUrl);
  // RFC 3339 with the calendar checked (no 30 February) and the time zone required: a time without one
  // would be read in whatever zone the gateway's host is set to.
  ajv.addFormat('date-time', addFormats.default.get('date-time'));
  // An annotation VS Code's YAML and JSON support also understand: the message for a failed `pattern`.
  ajv.addKeyword({ keyword: 'patternErrorMessage', schemaType: 'string' });
  // Ours: the message for a failed `type`, where the usual one would not say why (a YAML number for a release).
  ajv.addKeyword({ keyword: 'typeErrorMessage', schemaType: 'string' });
  return ajv.compile(configSchema);
}
