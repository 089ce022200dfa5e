import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { AttachmentRepo } from '../db/index.js';

/** Where attachment bytes live, once per sha256. */
export interface BlobStore {
  put(sha256: string, bytes: Buffer): Promise<void>;
  get(sha256: string): Promise<Buffer | undefined>;
  delete(sha256: string): Promise<void>;
}

/** In the database (`attachment_blobs`): every instance sharing the database sees them. */
export function databaseBlobStore(repo: Pick<AttachmentRepo, 'putBlob' | 'getBlob' | 'deleteBlob'>): BlobStore {
  return { put: repo.putBlob, get: repo.getBlob, delete: repo.deleteBlob };
}

/** In a directory (`<dir>/ab/abcdef…`); several instances must share it. Written to a temporary name, then renamed. */
export function directoryBlobStore(dir: string): BlobStore {
  const pathOf = (sha256: string) => join(dir, sha256.slice(0, 2), sha256);
  return {
    async put(sha256, bytes) {
      const path = pathOf(sha256);
      if (await stat(path).then(() => true, () => false)) return;
      await mkdir(join(dir, sha256.slice(0, 2)), { recursive: true });
      const temporary = `${path}.${randomUUID()}.tmp`;
      await writeFile(temporary, bytes, { mode: 0o600 });
      await rename(temporary, path);
    },
    async get(sha256) {
      try {
        return await readFile(pathOf(sha256));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },
    async delete(sha256) {
      await rm(pathOf(sha256), { force: true });
    },
  };
}
