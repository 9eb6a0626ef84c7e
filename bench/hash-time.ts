// Median time of one argon2id verification at Gatehouse's settings, printed in ms.
// Run pinned to the server's core, so the login ceiling is measured where logins run.
import { hash, verify } from '@node-rs/argon2';
import { DEFAULT_HASH_SETTINGS } from '../src/core/passwords.ts';

const stored = await hash('bench-password-1', {
  algorithm: 2 as never,
  memoryCost: DEFAULT_HASH_SETTINGS.memoryCost,
  timeCost: DEFAULT_HASH_SETTINGS.timeCost,
  parallelism: 1,
});
const times: number[] = [];
for (let i = 0; i < 21; i++) {
  const t = process.hrtime.bigint();
  await verify(stored, 'bench-password-1');
  times.push(Number(process.hrtime.bigint() - t) / 1e6);
}
console.log(times.sort((a, b) => a - b)[10]);
