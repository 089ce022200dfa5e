import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { WorkerRestarts } from './workerRestarts.js';
import { WARM_UP_MESSAGE, WORKER_ID_ENV, type WorkerListening } from './workerMessages.js';

export interface PrimaryOptions {
  count: number;
  logger: Logger;
  /** performance.now() when the process started, for the start-up time in the listening line. */
  startedAt: number;
  /** Configuration source for the listening line. */
  source: string;
  /** How long workers may take to store their running answers after SIGTERM before they are killed, ms. */
  forceExitMs?: number;
}

interface Slot {
  id: number;
  worker: Worker | null;
  startedAt: number;
  restarts: WorkerRestarts;
  timer: NodeJS.Timeout | null;
}

function isListening(message: unknown): message is WorkerListening {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'listening' && typeof (message as { address?: unknown }).address === 'string';
}

/**
 * The primary of `workers` > 1: forks the server processes, which share the port (node:cluster hands each
 * new connection to one of them in turn). The first starts alone, so that what must happen once (migrating
 * the database, creating the default user, marking answers of a dead earlier server as interrupted) happens
 * once and a start-up problem is said once; the others follow. The primary prints the listening line once.
 * A worker that dies later is replaced (WorkerRestarts says when); SIGTERM/SIGINT are passed on to the
 * workers, which store their running answers as interrupted, as a single process does.
 */
export async function runPrimary(options: PrimaryOptions): Promise<void> {
  const { count, logger } = options;
  const forceExitMs = options.forceExitMs ?? 12_000;
  const slots: Slot[] = Array.from({ length: count }, (_, i) => ({ id: i + 1, worker: null, startedAt: 0, restarts: new WorkerRestarts(), timer: null }));
  let started = false;
  let stopping = false;

  const live = () => slots.filter((slot) => slot.worker !== null);

  const stop = (signal: string | null, exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    if (signal) logger.info({ signal }, 'shutting down: every worker stores its running answers as interrupted');
    for (const slot of slots) {
      if (slot.timer) clearTimeout(slot.timer);
      slot.worker?.process.kill('SIGTERM');
    }
    const force = setTimeout(() => {
      for (const slot of live()) slot.worker?.process.kill('SIGKILL');
      process.exit(1);
    }, forceExitMs);
    force.unref();
    finalExitCode = exitCode;
    if (live().length === 0) process.exit(exitCode);
  };
  let finalExitCode = 0;
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  let firstListening: (message: WorkerListening) => void = () => {};
  let startFailed: (code: number) => void = () => {};

  const fork = (slot: Slot) => {
    slot.timer = null;
    const worker = cluster.fork({ [WORKER_ID_ENV]: String(slot.id) });
    slot.worker = worker;
    slot.startedAt = Date.now();
    worker.on('message', (message: unknown) => {
      if (!isListening(message)) return;
      if (started) {
        logger.info({ worker: slot.id, pid: worker.process.pid }, 'a replaced worker is listening');
        worker.send({ type: WARM_UP_MESSAGE });
      } else firstListening(message);
    });
    worker.on('exit', (code, signal) => {
      if (slot.worker === worker) slot.worker = null;
      if (stopping) {
        if (live().length === 0) process.exit(finalExitCode);
        return;
      }
      if (!started) {
        // It printed why (a sentence, exit code 2), or crashed: the server does not start.
        startFailed(code ?? 1);
        return;
      }
      const uptimeMs = Date.now() - slot.startedAt;
      const decision = slot.restarts.exited(uptimeMs);
      if (!decision.restart) {
        logger.error({ worker: slot.id, code, signal, quickExits: decision.quickExits }, `worker ${slot.id} keeps dying right after it starts; it is not restarted any more`);
        if (live().length === 0 && slots.every((s) => s.timer === null)) {
          logger.fatal('every worker is gone; stopping');
          process.exit(1);
        }
        return;
      }
      logger.error({ worker: slot.id, code, signal, uptimeMs, restartInMs: decision.delayMs }, `worker ${slot.id} died; starting another`);
      slot.timer = setTimeout(() => fork(slot), decision.delayMs);
    });
  };

  const startSlot = (slot: Slot) =>
    new Promise<WorkerListening>((resolve, reject) => {
      firstListening = resolve;
      startFailed = (code) => reject(Object.assign(new Error(`worker ${slot.id} exited with ${code} while starting`), { exitCode: code }));
      fork(slot);
    });

  try {
    const first = await startSlot(slots[0]!);
    // The others start together once the first has done what happens once.
    let waiting = count - 1;
    if (waiting > 0) {
      await new Promise<void>((resolve, reject) => {
        firstListening = () => {
          if (--waiting === 0) resolve();
        };
        startFailed = (code) => reject(Object.assign(new Error(`a worker exited with ${code} while starting`), { exitCode: code }));
        for (const slot of slots.slice(1)) fork(slot);
      });
    }
    started = true;
    // Tools load once every worker listens: loading them earlier would slow the others' start on a small machine.
    for (const slot of live()) slot.worker?.send({ type: WARM_UP_MESSAGE });
    logger.info(
      { config: options.source, models: first.models, workers: count, startupMs: Math.round(performance.now() - options.startedAt) },
      `NanoClaw is listening on ${first.address} (${count} worker processes)`,
    );
    if (process.send) process.send({ type: 'listening', address: first.address });
  } catch (err) {
    if (stopping) return;
    // The worker said why; the others (if any started) stop quietly.
    stop(null, (err as { exitCode?: number }).exitCode ?? 1);
  }
}
