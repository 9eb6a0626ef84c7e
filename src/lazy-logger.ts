import type { FastifyBaseLogger } from 'fastify';
import type { ChildLoggerOptions, Logger } from 'pino';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * The logger Fastify is given: pino, whose children (one per request, with its
 * request id) are made only when something is logged through them. pino's
 * child() with redaction costs several microseconds, and most requests log
 * nothing (measured: ~6% of /healthz throughput). Handed over as Fastify's
 * `loggerInstance` rather than through a `childLoggerFactory`, because Fastify
 * checks every child a factory of its own makes for the logger methods, on every
 * request (measured: ~0.3 µs of each).
 */
export function lazyLogger(root: Logger): FastifyBaseLogger {
  return new LazyLogger(root) as unknown as FastifyBaseLogger;
}

class LazyLogger {
  readonly #parent: LazyLogger | Logger;
  readonly #bindings: Record<string, unknown> | undefined;
  readonly #options: ChildLoggerOptions | undefined;
  #real: Logger | undefined;

  /** Without bindings, the logger itself (the root); with them, a child of `parent`, made at first use. */
  constructor(parent: LazyLogger | Logger, bindings?: Record<string, unknown>, options?: ChildLoggerOptions) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
    if (!bindings) this.#real = parent as Logger;
  }

  #logger(): Logger {
    if (!this.#real) {
      const parent = this.#parent instanceof LazyLogger ? this.#parent.#logger() : this.#parent;
      this.#real = parent.child(this.#bindings!, this.#options);
    }
    return this.#real;
  }

  #log(level: Level, args: unknown[]): void {
    if (this.isLevelEnabled(level)) (this.#logger()[level] as (...a: unknown[]) => void)(...args);
  }

  get level(): string {
    // A child's own level (a route's logLevel) is set where the child is made.
    return this.#real || this.#options?.level ? this.#logger().level : this.#parent.level;
  }
  set level(value: string) {
    this.#logger().level = value;
  }
  fatal(...args: unknown[]) {
    this.#log('fatal', args);
  }
  error(...args: unknown[]) {
    this.#log('error', args);
  }
  warn(...args: unknown[]) {
    this.#log('warn', args);
  }
  info(...args: unknown[]) {
    this.#log('info', args);
  }
  debug(...args: unknown[]) {
    this.#log('debug', args);
  }
  trace(...args: unknown[]) {
    this.#log('trace', args);
  }
  silent() {}
  child(bindings: Record<string, unknown>, options?: ChildLoggerOptions): LazyLogger {
    return new LazyLogger(this, bindings, options);
  }
  isLevelEnabled(level: string): boolean {
    return this.#real || this.#options?.level ? this.#logger().isLevelEnabled(level) : this.#parent.isLevelEnabled(level);
  }
}
