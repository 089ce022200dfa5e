import { computed, ref } from 'vue';
import type { FileRef } from '@nanoclaw/protocol';
import { uploadAttachment } from '../api/attachments';
import { UploadCancelled } from '../api/uploadFiles';
import { isImage, isUploadedKind } from '../lib/attachmentFiles';
import type { PendingFile } from '../components/AttachmentChips.vue';

interface Task {
  controller: AbortController;
  done: Promise<FileRef | null>;
  ref?: FileRef;
}

/** The files of the message being written that are uploaded as soon as they are chosen, with their progress. */
export function useFileUploads() {
  const files = ref<PendingFile[]>([]);
  const tasks = new Map<string, Task>();
  const waitingFlag = ref(false);
  let seq = 0;

  function add(file: File): void {
    const key = `upload-${++seq}`;
    files.value.push({ key, name: file.name, size: file.size, ...(isImage(file) ? { preview: URL.createObjectURL(file) } : {}), progress: 0, state: 'uploading' });
    const item = files.value.at(-1)!;
    const controller = new AbortController();
    const task: Task = {
      controller,
      done: uploadAttachment(file, { signal: controller.signal, onProgress: (loaded, total) => (item.progress = total ? loaded / total : 0) }).then(
        (uploaded) => {
          task.ref = uploaded;
          item.state = 'done';
          item.progress = 1;
          return uploaded;
        },
        (err: unknown) => {
          if (!(err instanceof UploadCancelled)) {
            item.state = 'error';
            item.error = err instanceof Error ? err.message : String(err);
            // What the server refused may not be an image at all: an icon rather than a broken thumbnail.
            if (item.preview) URL.revokeObjectURL(item.preview);
            delete item.preview;
          }
          return null;
        },
      ),
    };
    tasks.set(key, task);
  }

  function remove(key: string): void {
    tasks.get(key)?.controller.abort();
    tasks.delete(key);
    const at = files.value.findIndex((f) => f.key === key);
    if (at >= 0) {
      const [gone] = files.value.splice(at, 1);
      if (gone?.preview) URL.revokeObjectURL(gone.preview);
    }
  }

  /** Waits for the uploads still going; answers the uploaded files in order, or null when one failed. */
  async function settled(): Promise<FileRef[] | null> {
    waitingFlag.value = true;
    try {
      const keys = files.value.map((f) => f.key);
      const results = await Promise.all(keys.map((key) => tasks.get(key)?.done ?? Promise.resolve(null)));
      // A file removed while waiting is simply left out.
      const kept = keys.map((key, i) => (files.value.some((f) => f.key === key) ? results[i] : undefined)).filter((r) => r !== undefined);
      return kept.every((r): r is FileRef => r !== null) ? kept : null;
    } finally {
      waitingFlag.value = false;
    }
  }

  function clear(): void {
    for (const file of files.value) if (file.preview) URL.revokeObjectURL(file.preview);
    files.value = [];
    tasks.clear();
  }

  const waiting = computed(() => waitingFlag.value && files.value.some((f) => f.state === 'uploading'));
  return { files, add, remove, settled, clear, waiting, isUploaded: isUploadedKind };
}
