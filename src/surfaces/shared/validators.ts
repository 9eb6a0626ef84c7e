import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { compileWhenUsed } from './compile-when-used.ts';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

function makeAjv(options: Options): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: true, removeAdditional: false, ...options });
  addFormats(ajv);
  return ajv;
}

/**
 * Schema compilers. JSON bodies are validated strictly (`{"email": 123}` is an
 * error, as in pydantic), while query strings and path parameters arrive as
 * text and are coerced to the declared type (`?limit=5` is the integer 5).
 *
 * One pair of Ajv instances for the process: both listeners' apps register the
 * same routes with the same schema objects, and Ajv keeps what it compiled by
 * schema object, so each schema is compiled once, not once per app (about a
 * tenth of start-up, and the memory of the second copy). Each is compiled at
 * its route's first request (compile-when-used.ts).
 */
export function validatorCompiler(): FastifySchemaCompiler<unknown> {
  compilers ??= { strict: makeAjv({ coerceTypes: false }), coercing: makeAjv({ coerceTypes: true }) };
  const { strict, coercing } = compilers;
  return ({ schema, httpPart }) => {
    if (httpPart === 'body') return compileWhenUsed(() => strict.compile(schema as object) as Validate) as ReturnType<FastifySchemaCompiler<unknown>>;
    let checked = checkedParameters.get(schema as object);
    if (!checked) {
      checked = compileWhenUsed(() => decimalIntegersOnly(schema as JsonObject, coercing.compile(schema as object)) as Validate) as ReturnType<
        FastifySchemaCompiler<unknown>
      >;
      checkedParameters.set(schema as object, checked);
    }
    return checked;
  };
}

let compilers: { strict: Ajv; coercing: Ajv } | undefined;
const checkedParameters = new WeakMap<object, ReturnType<FastifySchemaCompiler<unknown>>>();

type JsonObject = { properties?: Record<string, { type?: unknown }> };
type Validate = ((data: unknown) => boolean) & { errors?: unknown[] | null };

/**
 * Ajv coerces any numeric text to a number, so `?limit=1e1` would pass as 10.
 * Like pydantic, accept only plain decimal digits for integer parameters.
 */
function decimalIntegersOnly(schema: JsonObject, validate: Validate): ReturnType<FastifySchemaCompiler<unknown>> {
  const integers = Object.entries(schema.properties ?? {})
    .filter(([, s]) => s.type === 'integer')
    .map(([name]) => name);
  if (integers.length === 0) return validate as ReturnType<FastifySchemaCompiler<unknown>>;
  const checked: Validate = (data) => {
    const record = data as Record<string, unknown>;
    const bad = integers.filter((name) => typeof record?.[name] === 'string' && !/^[+-]?\d+$/.test(record[name] as string));
    if (bad.length > 0) {
      checked.errors = bad.map((name) => ({ keyword: 'type', instancePath: `/${name}`, params: { type: 'integer' }, message: 'must be integer' }));
      return false;
    }
    const ok = validate(data);
    checked.errors = validate.errors;
    return ok;
  };
  return checked as ReturnType<FastifySchemaCompiler<unknown>>;
}
