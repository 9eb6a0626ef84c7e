import { Counter, collectDefaultMetrics, Gauge, Histogram, type Metric, Registry } from 'prom-client';
import type { UpstreamOutcome } from './core/identities.ts';
import type { AuditEvent } from './core/ports/audit-log.ts';

/**
 * Gatehouse's Prometheus metrics (prom-client), one registry per server:
 * requests by route and status with latency, auth events, store latency and
 * outages, rate-limit fallbacks, and the argon2 queue.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly #requests = new RequestTimes(this.registry);
  readonly #auth = new Counter({
    name: 'gatehouse_auth_events_total',
    help: 'Auth events: registrations, logins ok and failed, lockouts, refresh-token reuse, resets, ...',
    labelNames: ['type'],
    registers: [this.registry],
  });
  readonly #identityProviders = new Counter({
    name: 'gatehouse_identity_provider_events_total',
    help: 'Upstream identity providers, by provider: proved a person, failed to, made an account, linked one, signed in',
    labelNames: ['provider', 'outcome'],
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
  readonly #webhookAttempts = new Counter({
    name: 'gatehouse_webhook_attempts_total',
    help: 'Webhook delivery attempts, by outcome: delivered (a 2xx), retrying (no 2xx, another attempt is scheduled), failed (out of attempts, or 410)',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  readonly #webhookLatency = new Histogram({
    name: 'gatehouse_webhook_attempt_duration_seconds',
    help: 'Time of a webhook delivery attempt, answer included',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly #smsBudget = new Counter({
    name: 'gatehouse_sms_budget_refusals_total',
    help: 'Texts refused because the hourly budget of their calling code is spent (SMS_HOURLY_BUDGET)',
    labelNames: ['calling_code'],
    registers: [this.registry],
  });
  readonly #breachChecks = new Counter({
    name: 'gatehouse_password_breach_check_failures_total',
    help: 'New passwords accepted unchecked because the breached-password range API could not be reached (PASSWORD_BREACH_CHECK)',
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

  request(method: string, route: string, status: number, seconds: number): void {
    this.#requests.record(method, route, status, seconds);
    if (status === 429) this.#rateLimited.inc({ route });
  }

  auditEvent(event: AuditEvent): void {
    this.#auth.inc({ type: event.type });
  }

  identityProvider(provider: string, outcome: UpstreamOutcome): void {
    this.#identityProviders.inc({ provider, outcome });
  }

  storeCall(store: string, method: string, seconds: number, unavailable: boolean): void {
    this.#storeLatency.observe({ store, method }, seconds);
    if (unavailable) this.#outages.inc({ store });
  }

  webhookAttempt(outcome: 'delivered' | 'retrying' | 'failed', seconds: number): void {
    this.#webhookAttempts.inc({ outcome });
    this.#webhookLatency.observe(seconds);
  }

  /** `gatehouse_webhook_outbox_depth`: deliveries waiting, read from the database when scraped (every instance sees the same). */
  watchOutbox(pending: () => Promise<number>): void {
    new Gauge({
      name: 'gatehouse_webhook_outbox_depth',
      help: 'Webhook deliveries waiting for an attempt (all instances: read from the database)',
      registers: [this.registry],
      async collect() {
        // A database that does not answer leaves the last value, rather than failing the whole scrape.
        await pending().then(
          (n) => this.set(n),
          () => {},
        );
      },
    });
  }

  smsBudgetRefused(callingCode: string): void {
    this.#smsBudget.inc({ calling_code: callingCode });
  }

  breachCheckFailed(): void {
    this.#breachChecks.inc();
  }

  rateLimitFallback(): void {
    this.#fallbacks.inc();
  }
}

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

interface RouteStatus {
  labels: { method: string; route: string; status: string };
  count: number;
  sum: number;
  /** Observations per bucket (not cumulative); the last one is +Inf. */
  buckets: number[];
}

/**
 * `gatehouse_http_requests_total` and `gatehouse_http_request_duration_seconds`,
 * counted in plain arrays and turned into prom-client's shapes only when
 * scraped. This runs on every request; prom-client's own counter and histogram
 * hash their label object on every observation, which cost ~5% of `/me` under load.
 */
class RequestTimes {
  readonly #byRoute = new Map<string, Map<number, RouteStatus>>();

  constructor(registry: Registry) {
    const byRoute = this.#byRoute;
    const all = () => this.#all();
    // A real prom-client counter, filled from the arrays when scraped (collect is its supported hook).
    new Counter({
      name: 'gatehouse_http_requests_total',
      help: 'HTTP requests answered, by method, route and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
      collect() {
        this.reset();
        for (const e of all()) this.inc(e.labels, e.count);
      },
    });
    // prom-client has no supported way to hand a histogram its bucket counts, so this one is an object of the shape its
    // registry reads (name, help, type, get): tied to prom-client 15 (package.json allows 15.x only), and the
    // exposition test (test/surfaces/observability.test.ts) reads the scraped text, so an upgrade that changes the shape fails it.
    const histogram = {
      name: 'gatehouse_http_request_duration_seconds',
      help: 'Time to answer, by method, route and status',
      type: 'histogram',
      aggregator: 'sum',
      get: async () => ({ ...histogram, values: all().flatMap((e) => histogramLines(histogram.name, e)) }),
      reset: () => byRoute.clear(),
    };
    registry.registerMetric(histogram as unknown as Metric);
  }

  record(method: string, route: string, status: number, seconds: number): void {
    const key = method === 'GET' ? route : `${method} ${route}`;
    let statuses = this.#byRoute.get(key);
    if (!statuses) {
      statuses = new Map();
      this.#byRoute.set(key, statuses);
    }
    let entry = statuses.get(status);
    if (!entry) {
      entry = { labels: { method, route, status: String(status) }, count: 0, sum: 0, buckets: new Array(LATENCY_BUCKETS.length + 1).fill(0) };
      statuses.set(status, entry);
    }
    entry.count++;
    entry.sum += seconds;
    let bucket = 0;
    while (bucket < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[bucket]!) bucket++;
    entry.buckets[bucket]!++;
  }

  #all(): RouteStatus[] {
    return [...this.#byRoute.values()].flatMap((statuses) => [...statuses.values()]);
  }
}

function histogramLines(name: string, entry: RouteStatus) {
  let cumulative = 0;
  const lines = entry.buckets.map((n, i) => {
    cumulative += n;
    const le = i < LATENCY_BUCKETS.length ? LATENCY_BUCKETS[i]! : '+Inf';
    return { metricName: `${name}_bucket`, labels: { le, ...entry.labels }, value: cumulative };
  });
  return [
    ...lines,
    { metricName: `${name}_sum`, labels: entry.labels, value: entry.sum },
    { metricName: `${name}_count`, labels: entry.labels, value: entry.count },
  ];
}
