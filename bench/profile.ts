// `node bench/profile.ts healthz|me|shipped|ping [--seconds 8] [--top 30] [--bundle]`:
// a CPU profile of one server under load, taken through its inspector while the
// load runs (start-up and warm-up left out), pinned like the bench (server on
// core 0, load on core 1). Prints where the busy samples fall, by place and by
// function, and writes the .cpuprofile (for Chrome's DevTools or speedscope).
//   healthz  GET /healthz, access log off (the bench's quiet server)
//   me       GET /api/users/me with 1,000 tokens, access log off
//   shipped  GET /api/users/me with the settings npm start ships (access log on, to a file)
//   ping     the bare Fastify baseline (bench/baselines.ts)
// Gatehouse runs from tsc's dist/ (packages keep their own files, so the profile
// can name them); --bundle runs the bundle npm start runs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { loadConfig } from '../src/config.ts';
import { envFor, LoadGenerator, ROOT, type Server, shippedEnvFor, START, startBaseline, startServer, stopServer } from './harness.ts';
import type { LoadSpec } from './load.ts';
import { openCore, createSessions, seedUsers } from './seed.ts';
import { openInspector, SETTLE_FLAGS } from './settle.ts';

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    seconds: { type: 'string', default: '8' },
    top: { type: 'string', default: '30' },
    connections: { type: 'string', default: '50' },
    interval: { type: 'string', default: '250' },
    bundle: { type: 'boolean', default: false },
  },
});
const kind = positionals[0] ?? 'healthz';
if (!['healthz', 'me', 'shipped', 'ping'].includes(kind)) throw new Error(`unknown target ${kind}`);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  startTime: number;
  endTime: number;
}

/** Where a sampled function lives, in the words of docs/performance.md. */
function place(frame: ProfileNode['callFrame']): string {
  const { functionName: name, url } = frame;
  if (name === '(garbage collector)') return 'garbage collection';
  if (name === '(program)') return 'V8, not attributed to a function';
  if (url === '') return `native: ${name}`;
  if (url.startsWith('node:')) {
    if (/^node:(_http|http|internal\/http)/.test(url)) return "Node's HTTP";
    if (/^node:(net|stream|internal\/streams|internal\/stream_base_commons)/.test(url)) return "Node's sockets and streams";
    if (/^node:internal\/(process\/task_queues|timers|async_hooks|process\/promises)/.test(url)) return "Node's ticks, timers and promises";
    return 'Node, other';
  }
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg === 'find-my-way' || pkg.startsWith('@fastify/') || pkg === 'fastify' || pkg === 'avvio' ? 'fastify' : pkg;
  const own = /\/(dist|src)\/(.*)$/.exec(url);
  if (own) return `Gatehouse: ${own[2]!.replace(/\.(js|ts)$/, '')}`;
  if (url.includes('/bench/')) return 'the baseline server';
  return url;
}

function summarize(profile: Profile, top: number, requests: number): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const counts = new Map<number, number>();
  for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
  const places = new Map<string, number>();
  const functions = new Map<string, number>();
  let busy = 0;
  for (const [id, n] of counts) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') continue;
    busy += n;
    const where = place(frame);
    places.set(where, (places.get(where) ?? 0) + n);
    const file = frame.url.replace(/^.*node_modules\//, '').replace(/^.*\/(dist|src)\//, '$1/');
    const name = `${frame.functionName || '(anonymous)'}${file ? ` ${file}:${frame.lineNumber + 1}` : ''}`;
    functions.set(name, (functions.get(name) ?? 0) + n);
  }
  const idle = profile.samples.length - busy;
  // Self time per answered request: samples × the mean interval between them, over the requests answered meanwhile.
  const usPerSample = (profile.endTime - profile.startTime) / profile.samples.length;
  const pct = (n: number) => `${((n / busy) * 100).toFixed(1)}% | ${((n * usPerSample) / requests).toFixed(2)}`;
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return [
    `${profile.samples.length} samples, ${((idle / profile.samples.length) * 100).toFixed(0)}% idle; shares of the busy ones, and µs of CPU per request.`,
    '',
    '| where | share | µs/req |',
    '|---|---:|---:|',
    ...sorted(places)
      .filter(([, n]) => n / busy >= 0.005)
      .map(([where, n]) => `| ${where} | ${pct(n)} |`),
    '',
    '| function (self time) | share | µs/req |',
    '|---|---:|---:|',
    ...sorted(functions)
      .slice(0, top)
      .map(([name, n]) => `| ${name.replaceAll('|', '\\|')} | ${pct(n)} |`),
  ].join('\n');
}

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-profile-'));
  const generator = new LoadGenerator();
  let server: Server | undefined;
  try {
    let spec: Omit<LoadSpec, 'url' | 'serverPid'>;
    const base = { connections: Number(args.connections), duration: Number(args.seconds) };
    if (kind === 'ping') {
      server = await startBaseline('ping', undefined, SETTLE_FLAGS);
      spec = { ...base, path: '/ping' };
    } else {
      spawnSync(process.execPath, ['scripts/build.js'], { cwd: ROOT, stdio: 'inherit' });
      await seedUsers(join(dataDir, 'gatehouse.db'), 1000);
      const core = await openCore(loadConfig(envFor(dataDir, { DEMO_DATA: 'false' })));
      const tokens = await createSessions(core, 1000, 1000);
      await core.close();
      const flags = START.filter((a) => a.startsWith('--'));
      const command = args.bundle ? START : [...flags, 'dist/cli/gatehouse.js', 'serve'];
      server =
        kind === 'shipped'
          ? await startServer(shippedEnvFor(dataDir), { logFile: join(dataDir, 'access.log'), command })
          : await startServer(envFor(dataDir), { command });
      spec = kind === 'healthz' ? { ...base, path: '/healthz' } : { ...base, path: '/api/users/me', tokens: tokens.access };
    }
    const load = { ...spec, url: server.url, serverPid: server.pid };
    await generator.run({ ...load, duration: 2 });
    const inspector = await openInspector(server.child);
    await inspector.call('Profiler.enable');
    await inspector.call('Profiler.setSamplingInterval', { interval: Number(args.interval) });
    await inspector.call('Profiler.start');
    const figures = await generator.run(load);
    const { profile } = await inspector.call<{ profile: Profile }>('Profiler.stop');
    inspector.close();
    const file = join(tmpdir(), `gatehouse-${kind}-${Date.now()}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    console.log(
      `## ${kind}: ${Math.round(figures.rps).toLocaleString('en')} req/s while profiled; server ${figures.serverCpu?.toFixed(0)}% of its core, ${figures.serverUs?.toFixed(1)} µs a request; generator ${figures.loadCpu.toFixed(0)}%; the rest of the machine ${figures.otherCpu?.toFixed(0)}%`,
    );
    console.log(`(profile written to ${file})\n`);
    console.log(summarize(profile, Number(args.top), figures.total));
  } finally {
    generator.close();
    if (server) await stopServer(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
