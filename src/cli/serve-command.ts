import { parseArgs } from 'node:util';
import type { Config } from '../config.ts';
import { buildServer, type Listener } from '../server.ts';
import { StartupError } from '../startup-error.ts';

/** `gatehouse serve`: listen on every listener until SIGINT/SIGTERM, then finish in-flight requests and close storage. */
export async function serveCommand(args: string[], config: Config): Promise<number> {
  parseArgs({ args, options: {}, strict: true });
  const gatehouse = await buildServer({ config });
  const stop = async (signal: string) => {
    gatehouse.log.info({ signal }, 'shutting down');
    await gatehouse.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  for (const listener of gatehouse.listeners) {
    const address = await listen(listener, config.host).catch(async (error: unknown) => {
      await gatehouse.close();
      throw error;
    });
    // Said whatever LOG_LEVEL is: scripts and people wait for this line.
    console.log(`Gatehouse listening on ${address} (${listener.setting}; /api/v1/auth in ${listener.style} style)`);
  }
  return new Promise<number>(() => {});
}

/** Listens, turning the usual failures into one line that names the setting. */
async function listen(listener: Listener, host: string): Promise<string> {
  try {
    return await listener.app.listen({ host, port: listener.port });
  } catch (error) {
    const code = (error as { code?: string }).code;
    // Most often a second instance on the same host: each needs ports of its own.
    if (code === 'EADDRINUSE')
      throw new StartupError(
        `${listener.setting}: port ${listener.port} on ${host} is already in use (each instance on a host needs its own PORT and ENVELOPE_PORT, or ENVELOPE_PORT=off)`,
      );
    if (code === 'EACCES') throw new StartupError(`${listener.setting}: not allowed to listen on port ${listener.port}`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') throw new StartupError(`HOST: cannot listen on "${host}" (${code})`);
    throw error;
  }
}
