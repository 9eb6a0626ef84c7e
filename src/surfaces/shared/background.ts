import type { FastifyBaseLogger } from 'fastify';

/**
 * Runs work after the current response is on its way, so a client cannot tell
 * from the response time whether there was work to do (forgot-password for a
 * known versus an unknown email). Failures are logged, never sent.
 */
export function afterResponse(log: FastifyBaseLogger, what: string, task: () => Promise<void>): void {
  setImmediate(() => {
    task().catch((error: unknown) => log.error({ err: error }, `${what} failed`));
  });
}
