import fc from 'fast-check';
import { uniqueName } from './users.ts';

type Schema = Record<string, any>;

/** Values for a JSON schema: mostly what it allows, sometimes anything at all. */
export function arbitrary(schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return fc.jsonValue({ maxDepth: 2 });
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map((s: Schema) => arbitrary(s, depth + 1)));
  if ('const' in schema) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  switch (schema.type) {
    case 'string':
      if (schema.format === 'email') return fc.oneof(fc.emailAddress(), fc.constant(`${uniqueName('oa')}@example.com`));
      if (schema.format === 'uuid') return fc.uuid();
      if (schema.pattern && !schema.pattern.includes('(?='))
        return fc
          .stringMatching(new RegExp(schema.pattern), { maxLength: schema.maxLength ?? 40 })
          .filter((x) => x.length >= (schema.minLength ?? 0) && x.length <= (schema.maxLength ?? 1000));
      return fc.oneof(
        fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 40, 200) }),
        fc.constantFrom('password123', 'testuser', 'zh-CN', '1990-01-01'),
      );
    case 'integer':
      return fc.integer({ min: Math.max(schema.minimum ?? -1e6, -1e9), max: Math.min(schema.maximum ?? 1e6, 1e9) });
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(arbitrary(schema.items, depth + 1), { maxLength: 3 });
    case 'object': {
      const props = Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, s]) => [k, arbitrary(s as Schema, depth + 1)]));
      return fc.record(props, { requiredKeys: schema.required ?? [] });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}
