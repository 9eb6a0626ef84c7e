import { parseArgs } from 'node:util';
import type { Config } from '../config.ts';
import { buildServer } from '../server.ts';

/** `gatehouse serve`: listen until SIGINT/SIGTERM, then finish in-flight requests and close storage. */
export async function serveCommand(args: string[], config: Config): Promise<number> {
  parseArgs({ args, options: {}, strict: true });
  const { app } = await buildServer({ config });
  const stop = async (signal: string) => {
    app.log.info({ signal }, 'shutting down');
    await app.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  const address = await app.listen({ host: config.host, port: config.port });
  // Said whatever LOG_LEVEL is: scripts and people wait for this line.
  console.log(`Gatehouse listening on ${address}`);
  return new Promise<number>(() => {});
}
