/**
 * Route schemas compiled at their first use instead of at start. Compiling every
 * validator (Ajv) and serializer (fast-json-stringify) of every route took about a
 * sixth of start-up, and memory for routes a given installation never serves
 * (docs/performance.md); the first request of a route now pays its few
 * milliseconds. {@link compileEverySchema} compiles whatever is still waiting, so
 * a schema that cannot compile fails a test (test/surfaces/registry.test.ts)
 * rather than a first request in production.
 */
type Compiled = ((...args: never[]) => unknown) & { errors?: unknown };

const waiting = new Set<() => Compiled>();

export function compileWhenUsed<F extends Compiled>(compile: () => F): F {
  let compiled: F | undefined;
  const ensure = (): F => {
    if (!compiled) {
      compiled = compile();
      waiting.delete(ensure);
    }
    return compiled;
  };
  waiting.add(ensure);
  // Fastify reads a validator's verdict from its `errors` property after the call.
  const call = ((...args: never[]) => {
    const target = ensure();
    const result = target(...args);
    call.errors = target.errors;
    return result;
  }) as F;
  return call;
}

/** Compiles every schema not compiled yet; throws what the first one that cannot compile throws. */
export function compileEverySchema(): number {
  const all = [...waiting];
  for (const ensure of all) ensure();
  return all.length;
}
