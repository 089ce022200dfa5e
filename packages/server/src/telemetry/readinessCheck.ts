/** Whether the server can do its work: every dependency answered, or the first that did not, named. */
export type Readiness = { ready: true } | { ready: false; reason: string };

export interface ReadinessProbe {
  /** What a person would look at: `database`, `Redis`. */
  name: string;
  check(): Promise<unknown>;
}

/**
 * Asks every probe at once, each within `timeoutMs` (a database whose host drops packets never answers, and
 * the PostgreSQL pool has no connect timeout of its own). Answers ready, or the failures as one sentence.
 */
export function createReadinessCheck(probes: ReadinessProbe[], timeoutMs: number): () => Promise<Readiness> {
  return async () => {
    const failures = await Promise.all(probes.map((probe) => failureOf(probe, timeoutMs)));
    const reasons = failures.filter((failure): failure is string => failure !== null);
    return reasons.length === 0 ? { ready: true } : { ready: false, reason: reasons.join('; ') };
  };
}

async function failureOf(probe: ReadinessProbe, timeoutMs: number): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`${probe.name} did not answer within ${timeoutMs} ms`), timeoutMs);
  });
  const answered = probe.check().then(
    () => null,
    (err: unknown) => `${probe.name} is not reachable (${err instanceof Error ? err.message || err.name : String(err)})`,
  );
  try {
    return await Promise.race([answered, late]);
  } finally {
    clearTimeout(timer);
  }
}
