import fastJsonStringify from 'fast-json-stringify';
import type { FastifySerializerCompiler } from 'fastify/types/schema.js';
import { compileWhenUsed } from './compile-when-used.ts';

type Serialize = (data: unknown) => string;

/** Serializers compiled so far, by response schema object: shared by every app in the process. */
const compiled = new WeakMap<object, Serialize>();

/**
 * Fastify's own serializer (fast-json-stringify, as Fastify's default compiler
 * calls it), remembered by schema object. Both listeners' apps register the same
 * routes with the same response schemas; without this each app compiles every
 * one again (about a twentieth of start-up, and the memory of the second copy).
 * Gatehouse adds no shared schemas (TypeBox writes every schema out whole), so a
 * schema object alone decides its serializer. Each is compiled at its first
 * answer (compile-when-used.ts).
 */
export const serializerCompiler: FastifySerializerCompiler<unknown> = ({ schema }) => {
  let serialize = compiled.get(schema as object);
  if (!serialize) {
    serialize = compileWhenUsed(() => fastJsonStringify(schema as Parameters<typeof fastJsonStringify>[0]) as Serialize);
    compiled.set(schema as object, serialize);
  }
  return serialize;
};
