/**
 * A server event that does not follow the contract is skipped, never a broken page; it is reported in
 * the console once per kind of fault, so a stream of them does not flood it.
 */
const reported = new Set<string>();

export function reportMalformedOnce(why: string): void {
  if (reported.has(why)) return;
  reported.add(why);
  console.error(`NanoClaw: skipped a server event: ${why}`);
}
