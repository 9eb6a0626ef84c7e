import { pino, type DestinationStream } from 'pino';

/** Where log lines go, and how to be sure the last ones are out before the process ends. */
export interface LogOutput {
  stream: DestinationStream;
  /** Writes whatever is buffered and waits until it is written. */
  drain(): Promise<void>;
}

/** How much is buffered before a write, and how long a quiet server keeps a line back. */
const BUFFER_BYTES = 8 * 1024;
const FLUSH_EVERY_MS = 250;
/** A shutdown waits this long at most for a reader that stopped reading. */
const DRAIN_LIMIT_MS = 5_000;

/**
 * Log lines to stdout through pino's own asynchronous destination (sonic-boom):
 * lines are gathered up to 8 KiB and written in one call off the request path,
 * instead of one synchronous write per line (measured: the access log then costs
 * a few per cent of /api/users/me instead of a quarter). A timer writes what a
 * quiet server has gathered within 250 ms; `drain` is awaited on shutdown
 * (SIGTERM, SIGINT, a failed start), and pino itself writes the rest
 * synchronously when the process exits any other way.
 *
 * Each line is handed over as bytes (sonic-boom's buffer mode): given text,
 * sonic-boom measured the bytes of everything gathered so far on every line
 * (flattening the growing string) and encoded it twice more on the way out,
 * ~3 µs a line on the bench machine; as bytes, ~1.5 µs (bench/RESULTS.md,
 * docs/performance.md). The stream stays synchronous, so nothing is held outside
 * sonic-boom, whose own exit hook writes what it holds.
 */
export function bufferedStdout(): LogOutput {
  const boom = pino.destination({ dest: 1, sync: false, minLength: BUFFER_BYTES, contentMode: 'buffer' });
  const stream: DestinationStream & { flush(cb?: (error?: Error) => void): void } = {
    // sonic-boom's typings say text; in buffer mode it takes (and wants) a Buffer.
    write: (line: string) => boom.write(Buffer.from(line) as unknown as string),
    // what pino's logger.flush() calls
    flush: (cb) => boom.flush(cb),
  };
  const timer = setInterval(() => boom.flush(), FLUSH_EVERY_MS).unref();
  return {
    stream,
    drain: () =>
      new Promise<void>((resolve) => {
        clearInterval(timer);
        const limit = setTimeout(resolve, DRAIN_LIMIT_MS).unref();
        // The callback reports fsync's verdict, which a pipe refuses; the lines are written either way.
        boom.flush(() => {
          clearTimeout(limit);
          resolve();
        });
      }),
  };
}
