// A running server's inspector, opened on demand: SIGUSR1 makes Node listen
// (servers start with --inspect-port=0, so on a free port), then the DevTools
// protocol over a WebSocket. Used to read resident memory after a forced settle
// (a full garbage collection asked for, VmRSS read once it is done, never in the
// middle of a GC cycle) and to take CPU profiles of a server under load.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export const SETTLE_FLAGS = ['--inspect-port=0'];

function rssMiB(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
}

export interface Inspector {
  call<T = unknown>(method: string, params?: object): Promise<T>;
  close(): void;
}

/** Opens the inspector of a process started with {@link SETTLE_FLAGS}. */
export async function openInspector(child: ChildProcess): Promise<Inspector> {
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
  const waiting = new Map<number, (result: unknown) => void>();
  socket.onmessage = (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
    if (message.id !== undefined) waiting.get(message.id)?.(message.result);
  };
  return {
    call: <T>(method: string, params?: object) =>
      new Promise<T>((resolve) => {
        const mine = ++id;
        waiting.set(mine, (result) => {
          waiting.delete(mine);
          resolve(result as T);
        });
        socket.send(JSON.stringify({ id: mine, method, params }));
      }),
    close: () => socket.close(),
  };
}

/** Resident memory (MiB) of a server started with {@link SETTLE_FLAGS}, after two full collections. */
export async function settledRssMiB(child: ChildProcess): Promise<number> {
  const inspector = await openInspector(child);
  await inspector.call('HeapProfiler.collectGarbage');
  await inspector.call('HeapProfiler.collectGarbage');
  inspector.close();
  await sleep(500);
  return rssMiB(child.pid!);
}
