// One load run, in its own process (pinned by the caller to its own core).
// Reads a scenario from a JSON file, prints one JSON line of results.
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

export interface LoadSpec {
  url: string;
  path: string;
  method?: 'GET' | 'POST' | 'PUT';
  connections: number;
  duration: number;
  headers?: Record<string, string>;
  body?: string;
  /** Bearer tokens handed out round-robin per request. */
  tokens?: string[];
  /** Each connection chains tokens: the next request uses the token from the last answer. */
  chain?: { from: 'bearer' | 'refresh_body'; field: string; dataField?: boolean };
  /** Bodies handed out round-robin per request (e.g. different login emails). */
  bodies?: string[];
  /** Make each request's body unique: `{n}` in `body` is replaced by a counter. */
  uniqueBody?: boolean;
  /** Per-request path suffixes handed out round-robin. */
  paths?: string[];
  /** Requests per second over all connections (default: as fast as possible). */
  rate?: number;
}

const spec = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as LoadSpec;
let next = 0;
const pick = <T>(list: T[]) => list[next++ % list.length]!;
let counter = 0;
// Chained tokens live in a pool, not in autocannon's context (which is reset before
// every request when there is a single request template): a request takes one,
// its answer puts the successor back.
const pool = [...(spec.tokens ?? [])];

const request: autocannon.Request = {
  method: spec.method ?? 'GET',
  path: spec.path,
  setupRequest(req: autocannon.Request, ctx: object) {
    const context = ctx as Record<string, string>;
    const headers: Record<string, string> = { ...spec.headers };
    if (spec.chain) {
      context.token = pool.shift() ?? pick(spec.tokens!);
      if (spec.chain.from === 'bearer') headers.authorization = `Bearer ${context.token}`;
      else req.body = JSON.stringify({ refresh_token: context.token });
    } else if (spec.tokens) {
      headers.authorization = `Bearer ${pick(spec.tokens)}`;
    }
    if (spec.bodies) req.body = pick(spec.bodies);
    else if (spec.uniqueBody) req.body = spec.body!.replaceAll('{n}', `${process.pid}-${counter++}`);
    if (spec.paths) req.path = spec.path + pick(spec.paths);
    req.headers = headers;
    return req;
  },
  onResponse(status: number, body: string, ctx: object) {
    const context = ctx as Record<string, string>;
    if (!spec.chain || status !== 200) return;
    const parsed = JSON.parse(body);
    const source = spec.chain.dataField ? parsed.data : parsed;
    pool.push(source?.[spec.chain.field] ?? context.token);
  },
};
if (spec.body && !spec.bodies && !spec.uniqueBody) request.body = spec.body;

const result = await autocannon({
  url: spec.url,
  connections: spec.connections,
  duration: spec.duration,
  requests: [request],
  headers: spec.headers,
  ...(spec.rate ? { overallRate: spec.rate } : {}),
});
console.log(
  JSON.stringify({
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    total: result.requests.total,
  }),
);
