import { fail } from '../core/errors.ts';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
// PostgreSQL: connection exceptions (08xxx) and the server shutting down (57P0x).
const POSTGRES_CODES = /^(08\d{3}|57P0[1-3])$/;
const MESSAGES =
  /Connection is closed|Connection terminated|connection error|Command timed out|timeout exceeded|enableOfflineQueue|Stream isn't writeable|MaxRetriesPerRequest|Reached the max retries|the database system is (starting up|shutting down)/i;

/** Whether an error means the backend cannot be reached (as opposed to a bad query). */
export function isOutage(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const e = error as Error & { code?: string };
  return (
    (e.code !== undefined && (NETWORK_CODES.has(e.code) || POSTGRES_CODES.test(e.code))) || e.name === 'MaxRetriesPerRequestError' || MESSAGES.test(e.message)
  );
}

/** Sees each store call: which store and method, how long, and whether its backend was unreachable. */
export type StoreObserver = (store: string, method: string, seconds: number, unavailable: boolean) => void;

/**
 * Wraps a store so that a backend outage surfaces as the core error
 * STORE_UNAVAILABLE (every surface answers 503), never as an unexpected 500,
 * keeping the driver's error as its cause. With an observer, every call is timed.
 */
export function reportOutages<T extends object>(store: T, name = 'store', observe?: StoreObserver): T {
  return new Proxy(store, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      const method = String(property);
      return (...args: unknown[]) => {
        const started = observe ? performance.now() : 0;
        const done = (unavailable: boolean) => observe?.(name, method, (performance.now() - started) / 1000, unavailable);
        let result: unknown;
        try {
          result = value.apply(target, args);
        } catch (error) {
          done(isOutage(error));
          throw isOutage(error) ? fail('STORE_UNAVAILABLE', undefined, undefined, { cause: error }) : error;
        }
        if (result instanceof Promise) {
          return result.then(
            (v: unknown) => {
              done(false);
              return v;
            },
            (error: unknown) => {
              done(isOutage(error));
              throw isOutage(error) ? fail('STORE_UNAVAILABLE', undefined, undefined, { cause: error }) : error;
            },
          );
        }
        done(false);
        return result;
      };
    },
  });
}
