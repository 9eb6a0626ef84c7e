// The load generator: autocannon in a process of its own, pinned by the caller to
// the core the server does not use. Two ways to run it:
//   node bench/load.ts SPEC.json   one run, one JSON line of figures on stdout;
//   spawned with an IPC channel    a worker that runs each spec it is sent and
//                                  answers with its figures (bench/harness.ts),
//                                  so autocannon's code stays warm between rounds.
// Plain rows give autocannon prebuilt requests and no callbacks, as its command
// line does: a per-request `setupRequest` and an `onResponse` that collects the
// body capped the generator near 22k req/s where a plain autocannon drove the same
// bare Fastify past 32k. Callbacks remain only where a row needs them (chained
// refresh tokens, unique bodies, a global round-robin of tokens).
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
  /** Bearer tokens, each connection going through the list in order (prebuilt requests, no callback). */
  tokens?: string[];
  /** Each connection chains tokens: the next request uses the token from the last answer. */
  chain?: { from: 'bearer' | 'refresh_body'; field: string; dataField?: boolean };
  /** Bodies, each connection going through the list in order (e.g. different login emails). */
  bodies?: string[];
  /**
   * Tokens or bodies handed out by one counter shared by all connections (a callback per request), so one is used
   * again only after all the others: where it matters that the connections do not present the same one at about the
   * same moment (first sights of tokens, logins of different users).
   */
  shared?: boolean;
  /** Make each request's body unique: `{n}` in `body` is replaced by a counter. */
  uniqueBody?: boolean;
  /** Path suffixes, each connection going through the list in order. */
  paths?: string[];
  /** Send exactly this many requests, however long they take (`duration` is then ignored): single-use bodies, each sent once. */
  amount?: number;
  /** Requests per second over all connections (default: as fast as possible). */
  rate?: number;
  /** The server's process id: its CPU time over the run is read from /proc (Linux). */
  serverPid?: number;
}

export interface Figures {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  total: number;
  /** CPU time of the load generator's process over the run, in % of one core. */
  loadCpu: number;
  /** CPU time of the server's process over the run, in % of one core (when its pid was given and /proc is there). */
  serverCpu?: number;
  /** The server's CPU time per answered request, in µs. */
  serverUs?: number;
  /** Everything else the machine's cores were busy with over the run (other processes, the kernel, the hypervisor), in % of one core. */
  otherCpu?: number;
}

/** The user and system CPU time (ms) a process has used so far, from /proc; undefined where there is none. */
export function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The fields after the command name (which may hold spaces) start at state: utime and stime are the 12th and 13th of them.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** The time (ms) all cores together have been busy so far (not idle, not waiting for I/O), from /proc/stat. */
export function machineBusyMs(): number | undefined {
  try {
    const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/);
    // user nice system idle iowait irq softirq steal (guest time is already counted in user)
    const [user, nice, system, , , irq, softirq, steal] = ticks.map(Number);
    return ((user! + nice! + system! + irq! + softirq! + steal!) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** The CPU shares of one run: the generator's own, the server's, and the rest of the machine's, in % of one core. */
export class CpuWindow {
  readonly #started = performance.now();
  readonly #own = process.cpuUsage();
  readonly #server: number | undefined;
  readonly #machine = machineBusyMs();
  readonly #serverPid: number | undefined;

  constructor(serverPid: number | undefined) {
    this.#serverPid = serverPid;
    this.#server = serverPid === undefined ? undefined : processCpuMs(serverPid);
  }

  /** The shares since construction; `loadCpuMs` when the generator was another process (a command line). */
  close(requests: number, loadCpuMs?: number): Pick<Figures, 'loadCpu' | 'serverCpu' | 'serverUs' | 'otherCpu'> {
    const wallMs = performance.now() - this.#started;
    const own = process.cpuUsage(this.#own);
    const loadMs = loadCpuMs ?? (own.user + own.system) / 1000;
    const serverAfter = this.#serverPid === undefined ? undefined : processCpuMs(this.#serverPid);
    const serverMs = this.#server !== undefined && serverAfter !== undefined ? serverAfter - this.#server : undefined;
    const machineAfter = machineBusyMs();
    const machineMs = this.#machine !== undefined && machineAfter !== undefined ? machineAfter - this.#machine : undefined;
    const share = (ms: number) => (ms / wallMs) * 100;
    return {
      loadCpu: share(loadMs),
      ...(serverMs === undefined ? {} : { serverCpu: share(serverMs), serverUs: requests > 0 ? (serverMs * 1000) / requests : undefined }),
      ...(machineMs === undefined ? {} : { otherCpu: Math.max(0, share(machineMs - loadMs - (serverMs ?? 0))) }),
    };
  }
}

/** Unique bodies stay unique across the runs of one worker (registrations would otherwise collide in the next round). */
let counter = 0;

/** USER_HZ: 100 on every Linux Node runs on (the kernel's constant for /proc times). */
const CLOCK_TICKS = 100;

/** The requests autocannon is given: prebuilt ones where the spec allows, else one template with callbacks. */
function requestsFor(spec: LoadSpec): autocannon.Request[] {
  const method = spec.method ?? 'GET';
  const headers = { ...spec.headers };
  const body = spec.body;
  const dynamic = spec.chain !== undefined || spec.uniqueBody === true || spec.shared === true;
  if (!dynamic) {
    // (autocannon's defaults would be overwritten by a body key holding undefined)
    const template = { method, path: spec.path, headers, ...(body === undefined ? {} : { body }) };
    if (spec.tokens) return spec.tokens.map((token) => ({ ...template, headers: { ...headers, authorization: `Bearer ${token}` } }));
    if (spec.bodies) return spec.bodies.map((b) => ({ ...template, body: b }));
    if (spec.paths) return spec.paths.map((suffix) => ({ ...template, path: spec.path + suffix }));
    return [template];
  }
  let next = 0;
  const pick = <T>(list: T[]) => list[next++ % list.length]!;
  // Chained tokens live in a pool, not in autocannon's context (which is reset before
  // every request when there is a single request template): a request takes one,
  // its answer puts the successor back.
  const pool = [...(spec.tokens ?? [])];
  return [
    {
      method,
      path: spec.path,
      setupRequest(req: autocannon.Request, ctx: object) {
        const context = ctx as Record<string, string>;
        const own: Record<string, string> = { ...headers };
        if (spec.chain) {
          context.token = pool.shift() ?? pick(spec.tokens!);
          if (spec.chain.from === 'bearer') own.authorization = `Bearer ${context.token}`;
          else req.body = JSON.stringify({ refresh_token: context.token });
        } else if (spec.tokens) {
          own.authorization = `Bearer ${pick(spec.tokens)}`;
        }
        if (spec.bodies) req.body = pick(spec.bodies);
        else if (spec.uniqueBody) req.body = body!.replaceAll('{n}', `${process.pid}-${counter++}`);
        else if (body !== undefined && !spec.chain) req.body = body;
        req.headers = own;
        return req;
      },
      ...(spec.chain
        ? {
            onResponse(status: number, text: string, ctx: object) {
              const context = ctx as Record<string, string>;
              if (status !== 200) return;
              const parsed = JSON.parse(text);
              const source = spec.chain!.dataField ? parsed.data : parsed;
              pool.push(source?.[spec.chain!.field] ?? context.token);
            },
          }
        : {}),
    },
  ];
}

/** One run of autocannon, with the CPU the generator (and, given its pid, the server) used meanwhile. */
export async function runLoad(spec: LoadSpec): Promise<Figures> {
  const requests = requestsFor(spec);
  const window = new CpuWindow(spec.serverPid);
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.duration,
    requests,
    // The run ends at the first sample after its duration: sampled every 100 ms, a 2 s run lasts 2.0–2.1 s, not up to 3 s.
    sampleInt: 100,
    ...(spec.rate ? { overallRate: spec.rate } : {}),
    ...(spec.amount ? { amount: spec.amount } : {}),
  });
  return figuresOf(result, window);
}

/** What the bench reads of an autocannon result (its API's or its command line's `-j` JSON). */
export interface AutocannonSummary {
  requests: { total: number };
  duration: number;
  latency: { p50: number; p99: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}

/** A run's figures from autocannon's summary and the CPU window around it (`loadCpuMs`: the generator's CPU, when measured outside). */
export function figuresOf(result: AutocannonSummary, window: CpuWindow, loadCpuMs?: number): Figures {
  return {
    // Answers over the run's length: autocannon's own average is of whole seconds sampled, which a 2 s run has one or two of.
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    total: result.requests.total,
    ...window.close(result.requests.total, loadCpuMs),
  };
}

if (import.meta.main) {
  if (process.send) {
    // Worker: `{ id, spec }` in, `{ id, figures }` or `{ id, error }` out; runs may overlap (a watcher beside a storm).
    process.on('message', (message: { id: number; spec: LoadSpec }) => {
      runLoad(message.spec).then(
        (figures) => process.send!({ id: message.id, figures }),
        (error: Error) => process.send!({ id: message.id, error: error.message }),
      );
    });
    process.on('disconnect', () => process.exit(0));
  } else {
    const spec = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as LoadSpec;
    console.log(JSON.stringify(await runLoad(spec)));
  }
}
