import { AsyncLocalStorage } from 'node:async_hooks';

/** Fields every log line written inside a scope carries (run_id, conversation_id, trace_id). */
export type LogFields = Readonly<Record<string, string>>;

/** What the current asynchronous work belongs to: its log fields, and the span its children nest under. */
export interface WorkContext {
  log: LogFields;
  /** The active span when tracing is on (typed loosely so this module needs no tracing library). */
  span?: unknown;
}

const store = new AsyncLocalStorage<WorkContext>();

export function currentWorkContext(): WorkContext | undefined {
  return store.getStore();
}

/** Runs `fn` with `context` current for everything it starts, synchronously or not. */
export function runInWorkContext<T>(context: WorkContext, fn: () => T): T {
  return store.run(context, fn);
}

/** Runs `fn` with these log fields added to the current ones. */
export function withLogFields<T>(fields: LogFields, fn: () => T): T {
  const parent = store.getStore();
  return store.run({ ...parent, log: parent ? { ...parent.log, ...fields } : fields }, fn);
}

/** A pino `mixin`: the current scope's fields on every line (a new object each time: pino merges the line into it). */
export function logContextMixin(): Record<string, string> {
  const log = store.getStore()?.log;
  return log ? { ...log } : {};
}
