import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import type { WebhookRequest, WebhookSender } from '../../core/ports/webhook-sender.ts';

/** Whether an address is a public unicast one: not loopback, private, link-local (cloud metadata), shared, reserved or multicast. */
export function isPublicAddress(address: string): boolean {
  try {
    // process() reads an IPv4-mapped IPv6 address (::ffff:10.0.0.1) as the IPv4 address it is.
    return ipaddr.process(address).range() === 'unicast';
  } catch {
    return false;
  }
}

const ALLOW = 'WEBHOOK_ALLOW_PRIVATE=on allows it';

/** How a host name becomes addresses: node:dns (the system resolver), or a test's own. */
export type Resolve = (hostname: string, family: number | undefined) => Promise<LookupAddress[]>;

const systemResolve: Resolve = (hostname, family) =>
  new Promise((resolve, reject) => dnsLookup(hostname, { family: family ?? 0, all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))));

/**
 * POSTs webhook deliveries over node:http(s). Server-side request forgery is
 * refused where the connection is made: the host's addresses are resolved by
 * this sender's own `lookup` and the connection goes to the address checked —
 * never to a second resolution a DNS server could answer differently. An
 * address written in the URL is checked before connecting (Node does not look
 * those up). No redirect is followed (node:http never does; a 3xx is a failure).
 */
export class HttpWebhookSender implements WebhookSender {
  readonly #allowPrivate: boolean;
  readonly #resolve: Resolve;
  // Keep-alive per protocol: a connection is checked once, when it is made, and reused for the next attempts to that host.
  readonly #http: HttpAgent;
  readonly #https: HttpsAgent;

  /**
   * `maxSockets`: the delivery loop's attempts in flight (WEBHOOK_CONCURRENCY), so none waits in the agent's queue for
   * a socket while its timeout runs (a receiver slow to answer would otherwise time out attempts never sent).
   */
  constructor(options: { allowPrivate: boolean; resolve?: Resolve; maxSockets?: number }) {
    this.#allowPrivate = options.allowPrivate;
    this.#resolve = options.resolve ?? systemResolve;
    const lookup = this.#lookup;
    const maxSockets = options.maxSockets ?? 16;
    this.#http = new HttpAgent({ keepAlive: true, maxSockets, lookup });
    this.#https = new HttpsAgent({ keepAlive: true, maxSockets, lookup });
  }

  refusal(url: string): string | null {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return 'not an absolute URL';
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'only http:// and https:// URLs';
    const host = parsed.hostname.replace(/^\[|\]$/g, '');
    if (!this.#allowPrivate && isIP(host) !== 0 && !isPublicAddress(host)) return `${host} is a private or loopback address (${ALLOW})`;
    return null;
  }

  readonly #lookup: LookupFunction = (hostname, options, callback) => {
    const family = typeof options.family === 'number' ? options.family : undefined;
    this.#resolve(hostname, family).then(
      (addresses) => {
        // Every address the name has must be public: the connection may go to any of them.
        const refused = this.#allowPrivate ? undefined : addresses.find((a) => !isPublicAddress(a.address));
        if (refused || addresses.length === 0) {
          const why = refused ? `${hostname} resolves to ${refused.address}, a private or loopback address (${ALLOW})` : `${hostname} has no address`;
          return callback(Object.assign(new Error(why), { code: 'EREFUSEDADDRESS' }), '', 0);
        }
        if (options.all) return callback(null, addresses);
        return callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };

  close(): void {
    this.#http.destroy();
    this.#https.destroy();
  }

  post(request: WebhookRequest): Promise<{ status: number }> {
    const refused = this.refusal(request.url);
    if (refused) return Promise.reject(new Error(refused));
    const url = new URL(request.url);
    const timeout = AbortSignal.timeout(request.timeoutMs);
    const signal = request.signal ? AbortSignal.any([timeout, request.signal]) : timeout;
    const https = url.protocol === 'https:';
    return new Promise((resolve, reject) => {
      const req = (https ? httpsRequest : httpRequest)(
        url,
        {
          method: 'POST',
          headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
          agent: https ? this.#https : this.#http,
          lookup: this.#lookup,
          signal,
        },
        (res) => {
          // The status is the answer; the body is read and dropped (within the same time limit).
          res.resume();
          res.on('error', () => {});
          resolve({ status: res.statusCode ?? 0 });
        },
      );
      req.on('error', (error: Error & { code?: string }) => {
        if (timeout.aborted) reject(new Error(`no answer within ${request.timeoutMs / 1000} s`));
        else if (signal.aborted) reject(new Error('stopped'));
        else reject(new Error(error.code && !error.message.includes(error.code) ? `${error.code}: ${error.message}` : error.message));
      });
      req.end(request.body);
    });
  }
}
