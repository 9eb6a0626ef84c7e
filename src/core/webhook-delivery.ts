import { Webhook } from 'standardwebhooks';
import type { Audit } from './audit.ts';
import { endpointDisabledNotice } from '../texts/mail.ts';
import type { Clock } from './ports/clock.ts';
import type { IdSource } from './ports/ids.ts';
import type { Mailer } from './ports/mailer.ts';
import type { UserStore } from './ports/user-store.ts';
import type { WebhookSender } from './ports/webhook-sender.ts';
import type { ClaimedDelivery, Settlement, WebhookSecret, WebhookStore } from './ports/webhook-store.ts';
import type { SecretBox } from './secret-box.ts';
import { webhookSecretContext } from './webhooks.ts';

export interface DeliverySettings {
  /** The waits between attempts (s): WEBHOOK_RETRY_SECONDS. One more attempt than waits. */
  retrySeconds: readonly number[];
  /** An attempt that has no 2xx answer in this time failed (10 s). */
  timeoutMs: number;
  /** Attempts in flight at once, per instance. */
  concurrency: number;
  /** How often other instances' events are looked for (this instance's own wake the loop within gatherMs). */
  pollMs: number;
  /**
   * How long the loop waits after an event of this instance is published before it claims: events published in
   * that time are claimed together, one claim and one secrets read per endpoint for all of them, not one each.
   */
  gatherMs: number;
  /** An endpoint whose every attempt failed for this long is disabled and the superusers mailed (24 h). */
  failingLimitMs: number;
  /** Finished deliveries are kept this long (the console's history). */
  keepMs: number;
}

/** The Standard Webhooks reference schedule: after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h — over 27 h in all. */
const DEFAULT_RETRY_SECONDS: readonly number[] = [5, 300, 1800, 7200, 18000, 36000, 36000];

export const DEFAULT_DELIVERY: DeliverySettings = {
  retrySeconds: DEFAULT_RETRY_SECONDS,
  timeoutMs: 10_000,
  concurrency: 16,
  pollMs: 1000,
  gatherMs: 100,
  failingLimitMs: 24 * 3600_000,
  keepMs: 30 * 24 * 3600_000,
};

/** The live secrets of the endpoints of one claimed batch, by endpoint id. */
type Secrets = Map<string, Promise<WebhookSecret[]>>;

/** What became of an attempt (metrics). */
export type AttemptOutcome = 'delivered' | 'retrying' | 'failed';

/** Waits are spread by ±10%, so receivers that failed together are not all tried again at the same second. */
const JITTER = 0.1;

/**
 * The delivery loop: claims due deliveries from the outbox (each attempt is
 * made by one instance: the claim is one conditional UPDATE in the database),
 * signs each attempt afresh per the Standard Webhooks specification and POSTs
 * it off the request path. A 2xx within the timeout delivers; 410 disables the
 * endpoint; anything else is tried again after the next wait of the schedule,
 * then given up. Deliveries are independent: one failing event never holds
 * back another (at-least-once, unordered; receivers deduplicate on webhook-id).
 */
export class WebhookDeliveries {
  readonly #store: WebhookStore;
  readonly #sender: WebhookSender;
  readonly #box: SecretBox;
  readonly #clock: Clock;
  readonly #ids: IdSource;
  readonly #audit: Audit;
  readonly #mailer: Mailer;
  readonly #users: Pick<UserStore, 'superusers'>;
  readonly #report: (error: unknown, what: string) => void;
  readonly #observe: (outcome: AttemptOutcome, seconds: number) => void;
  readonly #random: () => number;
  readonly settings: DeliverySettings;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #abort = new AbortController();
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #woken = false;
  #gathering: ReturnType<typeof setTimeout> | undefined;
  #listening = false;
  #purgedAt = Number.NEGATIVE_INFINITY;

  constructor(
    deps: {
      store: WebhookStore;
      sender: WebhookSender;
      box: SecretBox;
      clock: Clock;
      ids: IdSource;
      audit: Audit;
      mailer: Mailer;
      users: Pick<UserStore, 'superusers'>;
      report: (error: unknown, what: string) => void;
      observe?: (outcome: AttemptOutcome, seconds: number) => void;
      random?: () => number;
    },
    settings: DeliverySettings = DEFAULT_DELIVERY,
  ) {
    this.#store = deps.store;
    this.#sender = deps.sender;
    this.#box = deps.box;
    this.#clock = deps.clock;
    this.#ids = deps.ids;
    this.#audit = deps.audit;
    this.#mailer = deps.mailer;
    this.#users = deps.users;
    this.#report = deps.report;
    this.#observe = deps.observe ?? (() => {});
    this.#random = deps.random ?? Math.random;
    this.settings = settings;
  }

  /** Starts delivering in the background (a server's instances each run one loop). */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    if (!this.#listening) {
      this.#listening = true;
      this.#store.onPublished(() => this.#nudgeSoon());
    }
    this.#loop = this.#run();
  }

  /** Stops the loop, if running; attempts in flight are abandoned (their claim lapses and another attempt is made later). */
  async stop(): Promise<void> {
    if (this.#running) {
      this.#running = false;
      clearTimeout(this.#gathering);
      this.#gathering = undefined;
      this.#abort.abort();
      this.#nudge();
      await this.#loop;
      await Promise.allSettled([...this.#inFlight]);
    }
    // Also after runDue alone (a command): an idle kept-alive connection would hold the process open.
    this.#sender.close?.();
  }

  /** Claims what is due now and attempts it, resolving when those attempts ended: `gatehouse webhooks` and tests. */
  async runDue(): Promise<number> {
    const claimed = await this.#claim(this.settings.concurrency);
    const secrets = this.#secretsOf(claimed);
    await Promise.all(claimed.map((d) => this.#attempt(d, secrets)));
    return claimed.length;
  }

  /** Wakes the loop once gatherMs has passed since the first of the events published meanwhile. */
  #nudgeSoon(): void {
    if (this.#gathering !== undefined) return;
    this.#gathering = setTimeout(() => {
      this.#gathering = undefined;
      this.#nudge();
    }, this.settings.gatherMs);
    this.#gathering.unref();
  }

  #nudge(): void {
    this.#woken = true;
    this.#wake?.();
  }

  async #run(): Promise<void> {
    while (this.#running) {
      try {
        const free = this.settings.concurrency - this.#inFlight.size;
        if (free > 0) {
          const claimed = await this.#claim(free);
          const secrets = this.#secretsOf(claimed);
          for (const d of claimed) this.#launch(d, secrets);
        }
        await this.#purgeHourly();
      } catch (error) {
        this.#report(error, 'webhook delivery');
      }
      await this.#sleep(this.settings.pollMs);
    }
  }

  #sleep(ms: number): Promise<void> {
    if (this.#woken || !this.#running) {
      this.#woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = () => {
        this.#wake = undefined;
        this.#woken = false;
        done();
      };
    });
  }

  #claim(limit: number): Promise<ClaimedDelivery[]> {
    const now = this.#clock.now();
    // Taken until the attempt's timeout has surely passed: an instance that dies mid-attempt leaves it to another.
    return this.#store.claim(now, now + this.settings.timeoutMs + 5000, limit, this.#ids.token(12));
  }

  /** The live secrets of each endpoint in a claimed batch, read once per endpoint (a rotation shows from the next batch). */
  #secretsOf(claimed: readonly ClaimedDelivery[]): Secrets {
    const now = this.#clock.now();
    const secrets: Secrets = new Map();
    for (const d of claimed) if (!secrets.has(d.endpointId)) secrets.set(d.endpointId, this.#store.secrets(d.endpointId, now));
    return secrets;
  }

  #launch(d: ClaimedDelivery, secrets: Secrets): void {
    const task = this.#attempt(d, secrets).catch((error: unknown) => this.#report(error, 'webhook delivery'));
    this.#inFlight.add(task);
    void task.finally(() => {
      this.#inFlight.delete(task);
      this.#nudge();
    });
  }

  /** The three headers of one attempt: the event's id, this attempt's time, and a `v1,` signature per live secret. */
  async #headers(d: ClaimedDelivery, at: number, live: Secrets): Promise<Record<string, string>> {
    const secrets = (await live.get(d.endpointId)) ?? [];
    const signatures = secrets.map((s) => new Webhook(this.#box.open(s.sealedSecret, webhookSecretContext(s.id))).sign(d.eventId, new Date(at), d.body));
    return {
      'content-type': 'application/json',
      'user-agent': 'Gatehouse-Webhooks/1',
      'webhook-id': d.eventId,
      'webhook-timestamp': String(Math.floor(at / 1000)),
      'webhook-signature': signatures.join(' '),
    };
  }

  async #attempt(d: ClaimedDelivery, live: Secrets): Promise<void> {
    const at = this.#clock.now();
    const started = performance.now();
    let status: number | null = null;
    let error: string | null = null;
    try {
      const headers = await this.#headers(d, at, live);
      ({ status } = await this.#sender.post({ url: d.url, headers, body: d.body, timeoutMs: this.settings.timeoutMs, signal: this.#abort.signal }));
    } catch (e) {
      // Stopping: the claim lapses and the attempt is made again later, by this instance or another.
      if (this.#abort.signal.aborted) return;
      error = (e as Error).message;
    }
    const durationMs = performance.now() - started;
    const delivered = status !== null && status >= 200 && status < 300;
    const gone = status === 410;
    const finished = d.attempts + 1;
    const wait = this.settings.retrySeconds[finished - 1];
    const retry = !delivered && !gone && wait !== undefined;
    const settlement: Settlement = {
      at,
      status: delivered ? 'delivered' : retry ? 'pending' : 'failed',
      nextAttemptAt: retry ? at + Math.round(wait * 1000 * (1 - JITTER + 2 * JITTER * this.#random())) : null,
      responseStatus: status,
      error,
      durationMs,
    };
    if (!(await this.#store.settle(d.id, d.claim, settlement))) return;
    this.#observe(delivered ? 'delivered' : retry ? 'retrying' : 'failed', durationMs / 1000);
    // Most deliveries go to a healthy endpoint: no write for them.
    if (delivered) {
      if (d.endpointFailing) await this.#store.markHealthy(d.endpointId);
    } else if (gone) await this.#disable(d, 'gone', 'the receiver answered 410 Gone');
    else {
      const since = await this.#store.markFailing(d.endpointId, at);
      if (since !== null && at - since >= this.settings.failingLimitMs) await this.#disable(d, 'failing', 'every attempt failed for 24 hours', true);
    }
  }

  /** Disables the endpoint once (whichever instance gets there first says so). */
  async #disable(d: ClaimedDelivery, reason: string, why: string, mail = false): Promise<void> {
    if (!(await this.#store.disableIfEnabled(d.endpointId, reason, this.#clock.now()))) return;
    await this.#audit.record('webhook.disabled', null, `${d.endpointId}: ${why}`);
    if (!mail) return;
    const notice = endpointDisabledNotice(d.endpointId, withoutCredentials(d.url), Math.round(this.settings.failingLimitMs / 3600_000));
    for (const user of await this.#users.superusers(100)) {
      if (!user.email) continue;
      await this.#mailer.send({ to: user.email, ...notice }).catch((error: unknown) => this.#report(error, 'webhook notice mail'));
    }
  }

  async #purgeHourly(): Promise<void> {
    const now = this.#clock.now();
    if (now - this.#purgedAt < 3600_000) return;
    this.#purgedAt = now;
    await this.#store.purge(now - this.settings.keepMs, now - 60_000);
  }
}

/** The URL without a user name or password it may carry. */
function withoutCredentials(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.toString();
}
