import type { ProjectFileChange } from '@nanoclaw/protocol';

export type ProjectChangeListener = (change: ProjectFileChange) => void;

/**
 * Who hears about changes to a project's files: the file-events stream of every browser that has
 * the project open. Changes are published by the workspace layer (REST edits, uploads and the
 * agent's file tools all go through it); listeners subscribe per project.
 */
export interface ProjectChangeFeed {
  publish(change: ProjectFileChange): void;
  /** Calls the listener for each change to the project from now on; answers the unsubscribe function. */
  subscribe(projectId: string, listener: ProjectChangeListener): () => void;
  close(): Promise<void>;
}

/** The listeners of this process, by project. On its own it is the feed of a single instance. */
export class LocalChangeFeed implements ProjectChangeFeed {
  private readonly listeners = new Map<string, Set<ProjectChangeListener>>();

  publish(change: ProjectFileChange): void {
    this.deliver(change);
  }

  /** Hands a change to this process's listeners of its project; one that throws does not stop the others. */
  deliver(change: ProjectFileChange): void {
    const listeners = this.listeners.get(change.project_id);
    if (!listeners) return;
    for (const listener of [...listeners]) {
      try {
        listener(change);
      } catch {
        /* a listener's failure is its own (a closed response); the others still hear */
      }
    }
  }

  subscribe(projectId: string, listener: ProjectChangeListener): () => void {
    let listeners = this.listeners.get(projectId);
    if (!listeners) {
      listeners = new Set();
      this.listeners.set(projectId, listeners);
    }
    listeners.add(listener);
    return () => {
      const current = this.listeners.get(projectId);
      if (!current) return;
      current.delete(listener);
      if (current.size === 0) this.listeners.delete(projectId);
    };
  }

  /** How many listeners a project has (all projects without an id). */
  listenerCount(projectId?: string): number {
    if (projectId !== undefined) return this.listeners.get(projectId)?.size ?? 0;
    let count = 0;
    for (const listeners of this.listeners.values()) count += listeners.size;
    return count;
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
