import { describe, expect, it } from 'vitest';
import { MAX_QUICK_EXITS, RESTART_BASE_DELAY_MS, RESTART_MAX_DELAY_MS, WorkerRestarts } from './workerRestarts.js';

describe('WorkerRestarts', () => {
  it('restarts at once a worker that had been running a while', () => {
    const restarts = new WorkerRestarts();
    expect(restarts.exited(60_000)).toEqual({ restart: true, delayMs: 0 });
    expect(restarts.exited(60_000)).toEqual({ restart: true, delayMs: 0 });
  });

  it('backs off on workers that die right after starting, then gives up', () => {
    const restarts = new WorkerRestarts();
    const delays: number[] = [];
    for (let i = 1; i < MAX_QUICK_EXITS; i++) {
      const decision = restarts.exited(100);
      expect(decision.restart).toBe(true);
      if (decision.restart) delays.push(decision.delayMs);
    }
    expect(delays[0]).toBe(RESTART_BASE_DELAY_MS);
    expect(delays.every((delay, i) => i === 0 || delay === Math.min(RESTART_MAX_DELAY_MS, delays[i - 1]! * 2))).toBe(true);
    expect(restarts.exited(100)).toEqual({ restart: false, quickExits: MAX_QUICK_EXITS });
  });

  it('forgets earlier quick exits once a worker has run a while', () => {
    const restarts = new WorkerRestarts();
    for (let i = 1; i < MAX_QUICK_EXITS; i++) restarts.exited(100);
    restarts.exited(60_000);
    expect(restarts.exited(100)).toEqual({ restart: true, delayMs: RESTART_BASE_DELAY_MS });
  });

  it('caps the delay', () => {
    const restarts = new WorkerRestarts({ quickExitMs: 1000, baseDelayMs: 1000, maxDelayMs: 3000, maxQuickExits: 10 });
    const delays = Array.from({ length: 5 }, () => restarts.exited(0)).map((d) => (d.restart ? d.delayMs : -1));
    expect(delays).toEqual([1000, 2000, 3000, 3000, 3000]);
  });
});
