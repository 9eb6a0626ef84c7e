// A server's resident memory read after a forced settle: the inspector is
// opened in the running process (SIGUSR1; the server is started with
// --inspect-port=0, so it listens on a free port), a full garbage collection is
// asked for, and VmRSS is read once it is done, never in the middle of a GC cycle.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export const SETTLE_FLAGS = ['--inspect-port=0'];

function rssMiB(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
}

/** Resident memory (MiB) of a server started with {@link SETTLE_FLAGS}, after two full collections. */
export async function settledRssMiB(child: ChildProcess): Promise<number> {
  let stderr = '';
  const listen = (d: Buffer) => (stderr += d);
  child.stderr!.on('data', listen);
  child.kill('SIGUSR1');
  let url: string | undefined;
  for (let i = 0; i < 200 && !url; i++) {
    url = /Debugger listening on (ws:\/\/\S+)/.exec(stderr)?.[1];
    if (!url) await sleep(50);
  }
  child.stderr!.off('data', listen);
  if (!url) throw new Error(`no inspector: ${stderr}`);
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = reject;
  });
  let id = 0;
  const call = (method: string) =>
    new Promise<void>((resolve) => {
      const mine = ++id;
      socket.onmessage = (event) => {
        if ((JSON.parse(String(event.data)) as { id?: number }).id === mine) resolve();
      };
      socket.send(JSON.stringify({ id: mine, method }));
    });
  await call('HeapProfiler.collectGarbage');
  await call('HeapProfiler.collectGarbage');
  socket.close();
  await sleep(500);
  return rssMiB(child.pid!);
}
