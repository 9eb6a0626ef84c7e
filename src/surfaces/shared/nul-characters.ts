import type { FastifyInstance } from 'fastify';

const pointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** The JSON path of the first string holding a NUL character, or null. Iterative: no input can overflow the stack. */
function findNul(root: unknown): string | null {
  const stack: Array<[unknown, string]> = [[root, '']];
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\0')) return path;
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], `${path}/${i}`]);
    } else if (value && typeof value === 'object') {
      const entries = Object.entries(value);
      for (let i = entries.length - 1; i >= 0; i--) stack.push([entries[i]![1], `${path}/${pointer(entries[i]![0])}`]);
    }
  }
  return null;
}

/** Path parameters but the wildcard: a file path under /cache/ naming no file is that route's 404. */
function namedParams(params: unknown): unknown {
  if (!params || typeof params !== 'object' || !('*' in params)) return params;
  const { '*': _wildcard, ...named } = params as Record<string, unknown>;
  return named;
}

/**
 * Refuses text with NUL characters in path parameters, bodies and query strings, as a schema
 * error in each surface's shape. PostgreSQL cannot store them, C libraries cut
 * strings at them, and no legitimate name, email or password contains one.
 */
export function refuseNulCharacters(app: FastifyInstance): void {
  // Callback style: this runs on every request, and there is nothing to await.
  app.addHook('preValidation', (request, _reply, done) => {
    // Most requests carry neither a body, a query string nor an encoded NUL in the path: nothing to look at.
    if (request.body === undefined && request.url.indexOf('?') < 0 && request.url.indexOf('%00') < 0) return done();
    for (const [part, value] of [
      ['params', namedParams(request.params)],
      ['body', request.body],
      ['querystring', request.query],
    ] as const) {
      const path = findNul(value);
      if (path === null) continue;
      const error = Object.assign(new Error('text must not contain NUL characters'), {
        statusCode: 400,
        validationContext: part,
        validation: [{ keyword: 'pattern', instancePath: path, params: { pattern: 'no NUL (\\u0000) characters' } }],
      });
      done(error);
      return;
    }
    done();
  });
}
