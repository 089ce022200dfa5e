/** The environment variable that tells a forked server process which worker slot (1…count) it fills. */
export const WORKER_ID_ENV = 'NANOCLAW_WORKER_ID';

/** What the primary tells a worker once every worker listens (or a replaced one does): load the tools now. */
export const WARM_UP_MESSAGE = 'warm-up';

/** What a worker (or a single server started by a parent over IPC) tells its parent once it listens. */
export interface WorkerListening {
  type: 'listening';
  address: string;
  models?: string[];
}
