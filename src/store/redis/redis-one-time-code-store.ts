import type { Redis } from 'ioredis';
import type { OneTimeCode, OneTimeCodeStore, OneTimeCodeTry } from '../../core/ports/one-time-code-store.ts';

/** The fields of a code's hash, in the order the scripts return them. */
const FIELDS = ['code', 'token', 'browser', 'user', 'created', 'exp', 'left'] as const;

/** Replaces a target's code: its old link's key goes, the new one expires with it. KEYS: code, new link; ARGV: link prefix, fields…, exp. */
const PUT = `
local old = redis.call('HGET', KEYS[1], 'token')
if old and old ~= '' then redis.call('DEL', ARGV[1] .. old) end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'code', ARGV[2], 'token', ARGV[3], 'browser', ARGV[4], 'user', ARGV[5], 'created', ARGV[6], 'exp', ARGV[7], 'left', ARGV[8])
redis.call('PEXPIREAT', KEYS[1], ARGV[7])
if ARGV[3] ~= '' then redis.call('SET', KEYS[2], ARGV[9], 'PXAT', ARGV[7]) end
return 1
`;

/** One try: taken before the comparison; the right code spent (once), the last wrong try voids it. KEYS: code; ARGV: code hash, now, link prefix. */
const TRY = `
local left = tonumber(redis.call('HGET', KEYS[1], 'left'))
local exp = tonumber(redis.call('HGET', KEYS[1], 'exp'))
if not left or left <= 0 or exp <= tonumber(ARGV[2]) then return {'none'} end
left = left - 1
if redis.call('HGET', KEYS[1], 'code') == ARGV[1] then
  local fields = redis.call('HMGET', KEYS[1], 'code', 'token', 'browser', 'user', 'created', 'exp', 'left')
  fields[7] = tostring(left)
  if fields[2] and fields[2] ~= '' then redis.call('DEL', ARGV[3] .. fields[2]) end
  redis.call('DEL', KEYS[1])
  return {'ok', unpack(fields)}
end
if left <= 0 then
  local token = redis.call('HGET', KEYS[1], 'token')
  if token and token ~= '' then redis.call('DEL', ARGV[3] .. token) end
  redis.call('DEL', KEYS[1])
else
  redis.call('HSET', KEYS[1], 'left', left)
end
return {'wrong', tostring(left)}
`;

/** The code a link's token names, spent or only read. KEYS: link; ARGV: code prefix, token hash, now, spend (1/0). */
const BY_TOKEN = `
local target = redis.call('GET', KEYS[1])
if not target then return nil end
local key = ARGV[1] .. target
local fields = redis.call('HMGET', key, 'code', 'token', 'browser', 'user', 'created', 'exp', 'left')
if fields[2] ~= ARGV[2] or tonumber(fields[6]) <= tonumber(ARGV[3]) or tonumber(fields[7]) <= 0 then return nil end
if ARGV[4] == '1' then redis.call('DEL', key, KEYS[1]) end
table.insert(fields, 1, target)
return fields
`;

/** Sign-in codes in Redis beside the sessions: a hash per target, a key per mailed link, both expiring with the code. */
export class RedisOneTimeCodeStore implements OneTimeCodeStore {
  readonly #redis: Redis;
  readonly #codes: string;
  readonly #links: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#codes = `${prefix}otp:`;
    this.#links = `${prefix}otpl:`;
  }

  async put(c: OneTimeCode): Promise<void> {
    const token = c.tokenHash ?? '';
    await this.#redis.eval(
      PUT,
      2,
      this.#codes + c.target,
      this.#links + token,
      this.#links,
      c.codeHash,
      token,
      c.browserHash ?? '',
      c.userId === null ? '' : String(c.userId),
      String(c.createdAt),
      String(c.expiresAt),
      String(c.attemptsLeft),
      c.target,
    );
  }

  async tryCode(target: string, codeHash: string, now: number): Promise<OneTimeCodeTry> {
    const [result, ...rest] = (await this.#redis.eval(TRY, 1, this.#codes + target, codeHash, String(now), this.#links)) as string[];
    if (result === 'ok') return { result: 'ok', code: toCode(target, rest) };
    if (result === 'wrong') return { result: 'wrong', attemptsLeft: Number(rest[0]) };
    return { result: 'none' };
  }

  findByToken(tokenHash: string, now: number): Promise<OneTimeCode | null> {
    return this.#byToken(tokenHash, now, false);
  }

  consumeToken(tokenHash: string, now: number): Promise<OneTimeCode | null> {
    return this.#byToken(tokenHash, now, true);
  }

  async #byToken(tokenHash: string, now: number, spend: boolean): Promise<OneTimeCode | null> {
    const found = (await this.#redis.eval(BY_TOKEN, 1, this.#links + tokenHash, this.#codes, tokenHash, String(now), spend ? '1' : '0')) as string[] | null;
    if (!found) return null;
    const [target, ...fields] = found;
    return toCode(target as string, fields);
  }
}

function toCode(target: string, fields: string[]): OneTimeCode {
  const value = Object.fromEntries(FIELDS.map((name, i) => [name, fields[i] ?? ''])) as Record<(typeof FIELDS)[number], string>;
  return {
    target,
    codeHash: value.code,
    tokenHash: value.token === '' ? null : value.token,
    browserHash: value.browser === '' ? null : value.browser,
    userId: value.user === '' ? null : Number(value.user),
    createdAt: Number(value.created),
    expiresAt: Number(value.exp),
    attemptsLeft: Number(value.left),
  };
}
