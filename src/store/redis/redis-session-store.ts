import type { Redis } from 'ioredis';
import type { AccessRotation, Session, SessionStore } from '../../core/ports/session-store.ts';

// Keys: <prefix>s:<sessionId> is a hash that expires with the session;
// <prefix>us:<userId> is the set of a user's session ids (expires with the last one).
const CREATE = `
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('PEXPIREAT', KEYS[1], ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
if redis.call('PEXPIRETIME', KEYS[2]) < tonumber(ARGV[1]) then redis.call('PEXPIREAT', KEYS[2], ARGV[1]) end
return 1`;

// Compare-and-set on the current access jti (and refresh fingerprint): one round trip, no race.
const ROTATE = `
local current = redis.call('HGET', KEYS[1], 'a')
if not current or current ~= ARGV[1] then return 0 end
if ARGV[5] == '1' and redis.call('HGET', KEYS[1], 'rh') ~= ARGV[6] then return 0 end
local previous = ''
if ARGV[4] == '1' then previous = current end
redis.call('HSET', KEYS[1], 'pa', previous, 'a', ARGV[2], 'r', ARGV[3])
if ARGV[7] == '1' then redis.call('HSET', KEYS[1], 'rh', ARGV[8]) end
return 1`;

const DELETE = `
local user = redis.call('HGET', KEYS[1], 'u')
if not user then return 0 end
redis.call('DEL', KEYS[1])
redis.call('SREM', ARGV[1] .. 'us:' .. user, ARGV[2])
return 1`;

const DELETE_FOR_USER = `
local ended = 0
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if id ~= ARGV[2] then
    ended = ended + redis.call('DEL', ARGV[1] .. 's:' .. id)
    redis.call('SREM', KEYS[1], id)
  end
end
return ended`;

const TOUCH = `
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'ls', ARGV[1]) end
return 1`;

type Scripted = Redis & {
  ghCreateSession(session: string, userSet: string, ...args: Array<string | number>): Promise<number>;
  ghRotateSession(session: string, ...args: Array<string | number>): Promise<number>;
  ghDeleteSession(session: string, prefix: string, id: string): Promise<number>;
  ghDeleteUserSessions(userSet: string, prefix: string, except: string): Promise<number>;
  ghTouchSession(session: string, at: number): Promise<number>;
};

function toSession(id: string, h: Record<string, string>): Session {
  return {
    id,
    userId: Number(h.u),
    createdAt: Number(h.c),
    expiresAt: Number(h.e),
    accessJti: h.a!,
    previousAccessJti: h.pa || null,
    rotatedAt: Number(h.r),
    refreshHash: h.rh || null,
    rememberMe: h.rm === '1',
    ip: h.ip || null,
    userAgent: h.ua || null,
    lastSeenAt: Number(h.ls ?? h.c),
  };
}

/** Sessions in Redis: every key expires with its session, so Redis never grows without bound. */
export class RedisSessionStore implements SessionStore {
  readonly #redis: Scripted;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis as Scripted;
    this.#prefix = prefix;
    redis.defineCommand('ghCreateSession', { numberOfKeys: 2, lua: CREATE });
    redis.defineCommand('ghRotateSession', { numberOfKeys: 1, lua: ROTATE });
    redis.defineCommand('ghDeleteSession', { numberOfKeys: 1, lua: DELETE });
    redis.defineCommand('ghDeleteUserSessions', { numberOfKeys: 1, lua: DELETE_FOR_USER });
    redis.defineCommand('ghTouchSession', { numberOfKeys: 1, lua: TOUCH });
  }

  #key(id: string) {
    return `${this.#prefix}s:${id}`;
  }

  #userKey(userId: number) {
    return `${this.#prefix}us:${userId}`;
  }

  async create(s: Session): Promise<void> {
    const fields = [
      'u',
      s.userId,
      'c',
      s.createdAt,
      'e',
      s.expiresAt,
      'a',
      s.accessJti,
      'pa',
      s.previousAccessJti ?? '',
      'r',
      s.rotatedAt,
      'rh',
      s.refreshHash ?? '',
      'rm',
      s.rememberMe ? 1 : 0,
      'ip',
      s.ip ?? '',
      'ua',
      s.userAgent ?? '',
      'ls',
      s.lastSeenAt,
    ];
    await this.#redis.ghCreateSession(this.#key(s.id), this.#userKey(s.userId), s.expiresAt, s.id, ...fields);
  }

  async get(id: string): Promise<Session | null> {
    const h = await this.#redis.hgetall(this.#key(id));
    return h.a ? toSession(id, h) : null;
  }

  async rotate(id: string, r: AccessRotation): Promise<boolean> {
    const checkRefresh = r.expectedRefreshHash !== undefined;
    const setRefresh = r.newRefreshHash !== undefined;
    const result = await this.#redis.ghRotateSession(
      this.#key(id),
      r.expectedJti,
      r.newJti,
      r.at,
      r.keepPrevious ? '1' : '0',
      checkRefresh ? '1' : '0',
      r.expectedRefreshHash ?? '',
      setRefresh ? '1' : '0',
      r.newRefreshHash ?? '',
    );
    return result === 1;
  }

  async delete(id: string): Promise<boolean> {
    return (await this.#redis.ghDeleteSession(this.#key(id), this.#prefix, id)) === 1;
  }

  async deleteForUser(userId: number, exceptId?: string): Promise<number> {
    return this.#redis.ghDeleteUserSessions(this.#userKey(userId), this.#prefix, exceptId ?? '');
  }

  async listForUser(userId: number): Promise<Session[]> {
    const ids = await this.#redis.smembers(this.#userKey(userId));
    if (ids.length === 0) return [];
    const pipeline = this.#redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.#key(id));
    const answers = (await pipeline.exec()) ?? [];
    const sessions: Session[] = [];
    const gone: string[] = [];
    answers.forEach(([, h], i) => {
      const hash = h as Record<string, string>;
      if (hash?.a) sessions.push(toSession(ids[i]!, hash));
      else gone.push(ids[i]!);
    });
    // Expired sessions vanish by themselves; tidy the index as we notice them.
    if (gone.length) await this.#redis.srem(this.#userKey(userId), ...gone);
    return sessions.sort((a, b) => a.createdAt - b.createdAt);
  }

  async touch(id: string, at: number): Promise<void> {
    // Only an existing session: HSET on a missing key would make a bare one.
    await this.#redis.ghTouchSession(this.#key(id), at);
  }

  /** Redis expires sessions itself. */
  async purgeExpired(): Promise<number> {
    return 0;
  }
}
