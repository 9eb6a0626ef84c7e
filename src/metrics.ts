import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { AuditEvent } from './core/ports/audit-log.ts';

/**
 * Gatehouse's Prometheus metrics (prom-client), one registry per server:
 * requests by route and status with latency, auth events, store latency and
 * outages, rate-limit fallbacks, and the argon2 queue.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly #requests = new Counter({
    name: 'gatehouse_http_requests_total',
    help: 'HTTP requests answered, by method, route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [this.registry],
  });
  readonly #latency = new Histogram({
    name: 'gatehouse_http_request_duration_seconds',
    help: 'Time to answer, by method, route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly #auth = new Counter({
    name: 'gatehouse_auth_events_total',
    help: 'Auth events: registrations, logins ok and failed, lockouts, refresh-token reuse, resets, ...',
    labelNames: ['type'],
    registers: [this.registry],
  });
  readonly #rateLimited = new Counter({
    name: 'gatehouse_rate_limited_total',
    help: 'Requests refused by a rate limit (429)',
    labelNames: ['route'],
    registers: [this.registry],
  });
  readonly #storeLatency = new Histogram({
    name: 'gatehouse_store_call_duration_seconds',
    help: 'Time of PostgreSQL and Redis store calls, by store and method',
    labelNames: ['store', 'method'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2],
    registers: [this.registry],
  });
  readonly #outages = new Counter({
    name: 'gatehouse_store_unavailable_total',
    help: 'Store calls that found their backend unreachable (answered 503)',
    labelNames: ['store'],
    registers: [this.registry],
  });
  readonly #fallbacks = new Counter({
    name: 'gatehouse_rate_limit_local_fallback_total',
    help: 'Rate-limit hits counted in this process because Redis was unreachable',
    registers: [this.registry],
  });

  constructor(argon2Queue: () => number) {
    new Gauge({
      name: 'gatehouse_argon2_queue_length',
      help: 'Password hashes waiting for a free core',
      registers: [this.registry],
      collect: function () {
        this.set(argon2Queue());
      },
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'gatehouse_' });
  }

  /** Label-bound children, one per (method, route, status): prom-client hashes label objects on every call otherwise. */
  readonly #bound = new Map<string, { count: ReturnType<Counter['labels']>; time: ReturnType<Histogram['labels']> }>();

  request(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${route} ${status}`;
    let bound = this.#bound.get(key);
    if (!bound) {
      const labels = { method, route, status: String(status) };
      bound = { count: this.#requests.labels(labels), time: this.#latency.labels(labels) };
      this.#bound.set(key, bound);
    }
    bound.count.inc();
    bound.time.observe(seconds);
    if (status === 429) this.#rateLimited.inc({ route });
  }

  auditEvent(event: AuditEvent): void {
    this.#auth.inc({ type: event.type });
  }

  storeCall(store: string, method: string, seconds: number, unavailable: boolean): void {
    this.#storeLatency.observe({ store, method }, seconds);
    if (unavailable) this.#outages.inc({ store });
  }

  rateLimitFallback(): void {
    this.#fallbacks.inc();
  }
}
