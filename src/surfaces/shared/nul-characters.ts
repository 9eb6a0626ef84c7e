import type { FastifyInstance } from 'fastify';

/** The JSON path of the first string holding a NUL character, or null. */
function findNul(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.includes('\0') ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findNul(value[i], `${path}/${i}`);
      if (found !== null) return found;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      const found = findNul(v, `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`);
      if (found !== null) return found;
    }
  }
  return null;
}

/**
 * Refuses text with NUL characters in bodies and query strings, as a schema
 * error in each surface's shape. PostgreSQL cannot store them, C libraries cut
 * strings at them, and no legitimate name, email or password contains one.
 */
export function refuseNulCharacters(app: FastifyInstance): void {
  // Callback style: this runs on every request, and there is nothing to await.
  app.addHook('preValidation', (request, _reply, done) => {
    for (const [part, value] of [
      ['body', request.body],
      ['querystring', request.query],
    ] as const) {
      const path = findNul(value, '');
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
