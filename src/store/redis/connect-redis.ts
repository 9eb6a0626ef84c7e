import type { Redis } from 'ioredis';

/**
 * A Redis client that fails fast: no offline queue, one retry per command, a
 * command timeout. While Redis is away, requests get a quick 503 instead of
 * waiting; the client reconnects by itself in the background.
 */
export async function connectRedis(url: string, timeoutMs: number): Promise<Redis> {
  // Loaded only where Redis is configured: a single SQLite instance carries no Redis client.
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    retryStrategy: (attempt) => Math.min(50 * attempt, 1000),
    lazyConnect: true,
  });
  let lastError: Error | undefined;
  redis.on('error', (error: Error) => {
    // Reported per command as STORE_UNAVAILABLE; the client keeps reconnecting.
    lastError = error;
  });
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    // A refused password arrives as an 'error' event and connect() then only says "Connection is closed":
    // the server's own answer is the one worth reporting.
    throw lastError?.name === 'ReplyError' ? lastError : error;
  }
  return redis;
}
