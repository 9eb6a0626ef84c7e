import type { WriteStream } from 'node:tty';

/** A progress bar on a terminal; silent when the stream is not one (pipes, CI). */
export function progressBar(label: string, stream: NodeJS.WriteStream | WriteStream) {
  const tty = stream.isTTY === true;
  let last = -1;
  return {
    update: (done: number, total: number) => {
      if (!tty || total === 0) return;
      const pct = Math.floor((done / total) * 100);
      if (pct === last) return;
      last = pct;
      const width = 30;
      const filled = Math.round((pct / 100) * width);
      stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct}% (${done}/${total})`);
    },
    done: () => {
      if (tty && last >= 0) stream.write('\n');
    },
  };
}
