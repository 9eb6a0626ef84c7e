import { parseArgs } from 'node:util';
import { boot } from '../boot.ts';
import type { Config } from '../config.ts';
import type { AsymmetricAlgorithm } from '../core/ports/signing-key-store.ts';
import type { KeyStatus } from '../core/signing-keys.ts';
import { UsageError } from './usage-error.ts';

const ASYMMETRIC: readonly AsymmetricAlgorithm[] = ['ES256', 'EdDSA', 'RS256'];

/** `gatehouse keys list [--json]`, `keys rotate [--algorithm ALG]`, `keys retire KID`. */
export async function keysCommand(args: string[], config: Config): Promise<number> {
  const [action, ...rest] = args;
  if (action !== 'list' && action !== 'rotate' && action !== 'retire') throw new UsageError('keys needs an action: list, rotate, or retire KID');
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: { json: { type: 'boolean' }, algorithm: { type: 'string' } }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { positionals, values } = parsed;
  const algorithm = values.algorithm;
  if (algorithm !== undefined && !(ASYMMETRIC as readonly string[]).includes(algorithm)) {
    throw new UsageError(`--algorithm must be one of ${ASYMMETRIC.join(', ')} (HS256 secrets are rotated with JWT_SECRET and JWT_PREVIOUS_SECRETS)`);
  }
  if (action === 'retire' && positionals.length !== 1) throw new UsageError('keys retire needs the KID of one key (see keys list)');
  if (action !== 'retire' && positionals.length > 0) throw new UsageError(`keys ${action} takes no argument: ${positionals[0]}`);
  const core = await boot(config);
  try {
    const keys = core.signingKeys;
    if (action === 'list') {
      const list = await keys.list();
      if (values.json) console.log(JSON.stringify(list.map(view)));
      else for (const k of list) console.log(line(k));
      return 0;
    }
    if (action === 'rotate') {
      const made = await keys.rotate(algorithm ? [algorithm as AsymmetricAlgorithm] : undefined);
      if (made.length === 0) {
        console.log('no asymmetric key signs here (JWT_ALGORITHM is HS256): rotate the secret with JWT_SECRET and JWT_PREVIOUS_SECRETS');
        return 0;
      }
      for (const k of made)
        console.log(
          `new ${k.alg} key ${k.kid}: signs from the next key poll of every instance (within 10 s); the previous one verifies until its tokens expire`,
        );
      return 0;
    }
    const kid = positionals[0]!;
    const result = await keys.retire(kid);
    if (result === 'unknown') throw new UsageError(`no key ${kid} to retire (see keys list)`);
    if (result === 'signing') throw new UsageError(`${kid} signs new tokens: run keys rotate first, then retire it`);
    console.log(`retired ${kid}: every instance refuses the tokens it signed from its next key poll (within 10 s), and it leaves the JWKS`);
    return 0;
  } finally {
    await core.close();
  }
}

const time = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function view(k: KeyStatus) {
  return {
    kid: k.kid,
    alg: k.alg,
    state: k.state,
    createdAt: time(k.createdAt),
    verifyUntil: time(k.verifyUntil),
    retiredAt: time(k.retiredAt),
    source: k.source,
  };
}

function line(k: KeyStatus): string {
  const when =
    k.source !== undefined
      ? `from ${k.source}`
      : k.state === 'retired'
        ? `retired ${time(k.retiredAt)}`
        : k.state === 'signing'
          ? `made ${time(k.createdAt)}`
          : `${k.state === 'expired' ? 'expired' : 'verifies until'} ${time(k.verifyUntil)}`;
  return [k.kid, k.alg, k.state, when].join('\t');
}
