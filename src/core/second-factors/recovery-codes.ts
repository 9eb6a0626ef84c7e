import { createHash, randomInt } from 'node:crypto';
import type { FactorStore } from '../ports/factor-store.ts';
import type { Clock } from '../ports/clock.ts';

const RECOVERY_CODES = 10;
/** Recovery code alphabet: no 0/o, 1/l/i to misread. 10 characters, ~49 bits each code. */
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** Recovery codes are random (~49 bits), so a fast hash suffices; the account id keeps equal codes apart. */
export function recoveryHash(userId: number, normalized: string): string {
  return createHash('sha256').update(`gatehouse recovery code\0${userId}\0${normalized}`).digest('base64url');
}

/** 10 new recovery codes for the account (shown once); the old ones stop working. */
export async function newRecoveryCodes(factors: FactorStore, clock: Clock, userId: number): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODES }, () => {
    const raw = Array.from({ length: 10 }, () => RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)]).join('');
    return `${raw.slice(0, 5)}-${raw.slice(5)}`;
  });
  await factors.replaceRecoveryCodes(
    userId,
    codes.map((c) => recoveryHash(userId, c.replace('-', ''))),
    clock.now(),
  );
  return codes;
}
