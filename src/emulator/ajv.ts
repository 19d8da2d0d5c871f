// One way to build Ajv and to turn its errors into short, human-readable messages.
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

export type { ErrorObject };

/** Ajv 2020 with formats; `allErrors` so a refused body or config lists every fault at once. */
export function createAjv(): Ajv2020 {
  // strict: false because OpenAPI documents carry keywords (examples, discriminator, …) Ajv does not know.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  return ajv;
}

/** `"/threads must be >= 1"`-style messages; drops the `if` wrapper errors that only repeat a branch's. */
export function describeErrors(errors: readonly ErrorObject[] | null | undefined, root = ''): string[] {
  const out: string[] = [];
  for (const error of errors ?? []) {
    if (error.keyword === 'if') continue;
    const where = `${root}${error.instancePath}` || '/';
    const params = error.params as Record<string, unknown>;
    let detail = error.message ?? 'is invalid';
    if (error.keyword === 'additionalProperties')
      detail = `must NOT have the property '${String(params.additionalProperty)}'`;
    if (error.keyword === 'enum') detail = `must be one of ${JSON.stringify(params.allowedValues)}`;
    out.push(`${where} ${detail}`);
  }
  return [...new Set(out)];
}

/** Compiles `schema` and returns a checker that throws an Error listing every problem. */
export function schemaAsserter<T>(schema: object, what: string): (value: unknown) => asserts value is T {
  const validate = createAjv().compile(schema);
  return (value: unknown): asserts value is T => {
    if (!validate(value)) throw new Error(`invalid ${what}: ${describeErrors(validate.errors).join('; ')}`);
  };
}
