// `node bench/ab.ts --path /healthz NAME=BUILD_DIR[:shipped][:NODE_FLAG...] ... [--rounds 20] [--duration 2] [--ping]`:
// two or more builds of Gatehouse (each made with `node scripts/build.js BUILD_DIR`,
// e.g. `.build-test-ab-before`, a folder name git ignores) on the same database,
// pinned like the bench, measured in interleaved rounds on one path. Prints, for
// each, req/s and the server's CPU per request (µs; steadier than req/s on a
// shared machine), each as the median of round-by-round ratios to the first
// build, with the IQR. `:shipped` runs that one with the access log on (to a
// file), as npm start ships it; Node flags after it replace npm start's (e.g.
// `new=.build-test-ab-x::--max-semi-space-size=8`); --ping adds the bare Fastify baseline.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.ts';
import { envFor, formatRatio, LoadGenerator, type Server, shippedEnvFor, START, startBaseline, startServer, stopServer, spread } from './harness.ts';
import type { Figures, LoadSpec } from './load.ts';
import { createSessions, openCore, seedUsers } from './seed.ts';

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    path: { type: 'string', default: '/healthz' },
    rounds: { type: 'string', default: '20' },
    duration: { type: 'string', default: '2' },
    connections: { type: 'string', default: '50' },
    ping: { type: 'boolean', default: false },
  },
});
const builds = positionals.map((p) => {
  const name = p.slice(0, p.indexOf('='));
  const [dir, how, ...flags] = p.slice(p.indexOf('=') + 1).split(':');
  return { name, dir: dir!, shipped: how === 'shipped', flags: flags.length ? flags : undefined };
});
if (builds.length < 1) throw new Error('give at least one NAME=BUILD_DIR');

const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-ab-'));
const generator = new LoadGenerator();
const servers: Array<{ name: string; server: Server; spec: LoadSpec }> = [];
try {
  await seedUsers(join(dataDir, 'gatehouse.db'), 1000);
  const core = await openCore(loadConfig(envFor(dataDir, { DEMO_DATA: 'false' })));
  const tokens = (await createSessions(core, 1000, 1000)).access;
  await core.close();
  const flags = START.filter((a) => a.startsWith('--'));
  const load = { connections: Number(args.connections), duration: Number(args.duration), path: args.path!, ...(args.path === '/healthz' ? {} : { tokens }) };
  for (const { name, dir, shipped, flags: own } of builds) {
    const command = [...(own ?? flags), join(dir, 'bundle/gatehouse.js'), 'serve'];
    const server = shipped
      ? await startServer(shippedEnvFor(dataDir), { command, logFile: join(dataDir, `${name}.log`) })
      : await startServer(envFor(dataDir), { command });
    servers.push({ name, server, spec: { ...load, url: server.url, serverPid: server.pid } });
  }
  if (args.ping) {
    const server = await startBaseline('ping');
    servers.push({
      name: 'bare ping',
      server,
      spec: { connections: load.connections, duration: load.duration, path: '/ping', url: server.url, serverPid: server.pid },
    });
  }
  for (const { spec } of servers) await generator.run({ ...spec, duration: 1 });
  const results = new Map<string, Figures[]>(servers.map(({ name }) => [name, []]));
  const rounds = Number(args.rounds);
  for (let round = 1; round <= rounds; round++) {
    for (const { name, spec } of round % 2 ? servers : [...servers].reverse()) results.get(name)!.push(await generator.run(spec));
    console.error(
      `round ${round}: ${servers.map(({ name }) => `${name} ${Math.round(results.get(name)!.at(-1)!.rps)} (${results.get(name)!.at(-1)!.serverUs?.toFixed(1)} µs)`).join(', ')}`,
    );
  }
  const first = results.get(servers[0]!.name)!;
  console.log(`${args.path}, ${rounds} rounds of ${args.duration} s, ${args.connections} connections`);
  console.log('| build | req/s (IQR) | µs/req (IQR) | req/s vs first | µs/req vs first | server CPU % | load CPU % | others % |');
  console.log('|---|---:|---:|---|---|---:|---:|---:|');
  for (const { name } of servers) {
    const runs = results.get(name)!;
    const rps = spread(runs.map((f) => f.rps));
    const us = spread(runs.map((f) => f.serverUs ?? Number.NaN));
    const byRound = (pick: (a: Figures, b: Figures) => number) => spread(runs.map((f, i) => pick(f, first[i]!)));
    const median = (pick: (f: Figures) => number | undefined) => spread(runs.map((f) => pick(f) ?? Number.NaN)).median.toFixed(0);
    console.log(
      `| ${name} | ${Math.round(rps.median)} (${Math.round(rps.q1)}–${Math.round(rps.q3)}) | ${us.median.toFixed(1)} (${us.q1.toFixed(1)}–${us.q3.toFixed(1)}) | ${formatRatio(byRound((a, b) => a.rps / b.rps))} | ${formatRatio(byRound((a, b) => a.serverUs! / b.serverUs!))} | ${median((f) => f.serverCpu)} | ${median((f) => f.loadCpu)} | ${median((f) => f.otherCpu)} |`,
    );
  }
} finally {
  generator.close();
  for (const { server } of servers) await stopServer(server);
  rmSync(dataDir, { recursive: true, force: true });
}
