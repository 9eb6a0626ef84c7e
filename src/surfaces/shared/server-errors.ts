/** Answers with a 5xx status in the last hour, per minute, in this process (the console's health page). */
const MINUTE = 60_000;
const buckets = new Map<number, number>();

/** Counts one 5xx answer at `at` (epoch ms); minutes older than an hour are forgotten. */
export function countServerError(at: number): void {
  const minute = Math.floor(at / MINUTE);
  buckets.set(minute, (buckets.get(minute) ?? 0) + 1);
  for (const key of buckets.keys()) if (key <= minute - 60) buckets.delete(key);
}

/** 5xx answers in the hour before `now`, in this process. */
export function serverErrorsInLastHour(now: number): number {
  const minute = Math.floor(now / MINUTE);
  let total = 0;
  for (const [key, n] of buckets) if (key > minute - 60) total += n;
  return total;
}
