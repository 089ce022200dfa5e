import { defineStore } from 'pinia';
import { computed, reactive, ref } from 'vue';
import type { ApiFileEntry, ApiFileLimits, ProjectFileChange } from '@nanoclaw/protocol';
import { api, ApiError } from '../api/http';
import { watchProjectFiles, type FileEventsState } from '../api/fileEvents';
import { uploadFiles, UploadCancelled } from '../api/uploadFiles';
import { i18n } from '../i18n';
import { askConfirm } from '../lib/confirm';
import { changeTouches, decideOnDiskChange, isWithin, pathAfterMove } from '../lib/fileChanges';
import { parentOf } from '../lib/projectPaths';
import { uploadProblem, type UploadItem } from '../lib/uploadItems';

/** Slow safety net while the change feed is down, ms. */
const FALLBACK_POLL_MS = 15_000;
/** How long a note ("Saved.") stays, ms. */
const NOTE_MS = 2500;

export interface OpenFile {
  path: string;
  content: string;
  /** The content as last read from or written to disk. */
  saved: string;
  /** The content of a save in flight: its own change coming back is no news. */
  saving: string | null;
}

/** The open file changed (with unsaved edits) or vanished on disk. */
export type DiskNotice = { kind: 'changed'; disk: string } | { kind: 'deleted' };

export interface UploadProgress {
  count: number;
  folder: string;
  percent: number;
}

/**
 * The folder to show after an upload into `folder`: the uploaded folder itself when everything went
 * into one folder of the upload, else `folder`.
 */
export function uploadedFolder(folder: string, items: Array<Pick<UploadItem, 'path'>>, emptyFolders: string[] = []): string {
  const inFolders = [...items.map((item) => item.path).filter((path) => path.includes('/')), ...emptyFolders];
  const tops = new Set(inFolders.map((path) => path.split('/')[0] as string));
  const [top] = tops;
  return tops.size === 1 && top !== undefined ? (folder ? `${folder}/${top}` : top) : folder;
}

/**
 * The project file explorer: the folders listed so far and which are open, the file in the editor
 * with its unsaved edits, uploads, and the live feed of changes made elsewhere (the agent, other tabs).
 */
export const useFilesStore = defineStore('files', () => {
  const t = i18n.global.t;

  const projectId = ref('');
  /** Listings of the folders loaded so far, by folder path ("" is the project). */
  const dirs = reactive(new Map<string, ApiFileEntry[]>());
  const expanded = reactive(new Set<string>(['']));
  const open = ref<OpenFile | null>(null);
  const error = ref<string | null>(null);
  const note = ref<string | null>(null);
  /** The folder uploads and new files go into: the last folder clicked, or the open file's folder. */
  const targetDir = ref('');
  const diskNotice = ref<DiskNotice | null>(null);
  const feedState = ref<FileEventsState>('connecting');
  const limits = ref<ApiFileLimits | null>(null);
  const upload = ref<UploadProgress | null>(null);
  let uploadAbort: AbortController | null = null;

  const dirty = computed(() => !!open.value && open.value.content !== open.value.saved);

  /** Rows of the tree in display order, with their depth. */
  const rows = computed(() => {
    const out: Array<{ entry: ApiFileEntry; depth: number }> = [];
    const walk = (path: string, depth: number) => {
      for (const entry of dirs.get(path) ?? []) {
        out.push({ entry, depth });
        if (entry.type === 'directory' && expanded.has(entry.path)) walk(entry.path, depth + 1);
      }
    };
    walk('', 0);
    return out;
  });

  const folderName = (folder: string) => (folder === '' ? t('files.projectRoot') : `“${folder}”`);
  const messageOf = (err: unknown) => (err instanceof ApiError ? (err.status === 0 ? t('errors.network') : err.message) : String(err));
  const say = (err: unknown) => (error.value = messageOf(err));
  let noteTimer: ReturnType<typeof setTimeout> | undefined;
  function showNote(text: string): void {
    note.value = text;
    clearTimeout(noteTimer);
    noteTimer = setTimeout(() => (note.value = null), NOTE_MS);
  }

  async function list(path: string): Promise<void> {
    try {
      const listing = await api.listFiles(projectId.value, path);
      dirs.set(path, listing.items);
    } catch (err) {
      if (path === '') say(err);
      else if (err instanceof ApiError && (err.status === 404 || err.status === 400)) {
        // The folder is gone (deleted or moved elsewhere): stop listing it.
        dirs.delete(path);
        expanded.delete(path);
      }
    }
  }

  // Several changes in a row (an agent writing many files) end in one or two listings, not one each.
  let refreshing: Promise<void> | null = null;
  let refreshAgain = false;
  function refresh(): Promise<void> {
    if (refreshing) {
      refreshAgain = true;
      return refreshing;
    }
    refreshing = (async () => {
      do {
        refreshAgain = false;
        await Promise.all([...expanded].map(list));
      } while (refreshAgain);
    })().finally(() => (refreshing = null));
    return refreshing;
  }

  async function toggle(entry: ApiFileEntry): Promise<void> {
    targetDir.value = entry.path;
    if (expanded.has(entry.path)) expanded.delete(entry.path);
    else {
      expanded.add(entry.path);
      await list(entry.path);
    }
  }

  /** Marks every folder down to `folder` open. */
  function expandTo(folder: string): void {
    const parts = folder.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) expanded.add(parts.slice(0, i).join('/'));
  }

  /** Opens every folder down to `folder` and lists them, so what was put there is in view. */
  async function reveal(folder: string): Promise<void> {
    expandTo(folder);
    await refresh();
  }

  /** True when there are no unsaved edits, or the person agrees to lose them. */
  async function mayDiscardEdits(): Promise<boolean> {
    if (!dirty.value) return true;
    return askConfirm({ title: t('files.discardTitle'), body: t('files.discardBody'), confirmLabel: t('confirm.ok'), danger: false });
  }

  async function openFile(path: string): Promise<void> {
    if (!(await mayDiscardEdits())) return;
    error.value = null;
    try {
      const file = await api.readFile(projectId.value, path);
      open.value = { path, content: file.content, saved: file.content, saving: null };
      diskNotice.value = null;
      targetDir.value = parentOf(path);
    } catch (err) {
      say(err);
    }
  }

  function closeFile(): void {
    open.value = null;
    diskNotice.value = null;
  }

  async function save(): Promise<void> {
    const current = open.value;
    if (!current) return;
    error.value = null;
    const content = current.content;
    current.saving = content;
    try {
      await api.writeFile(projectId.value, current.path, content);
      current.saved = content;
      diskNotice.value = null;
      showNote(t('files.saved'));
      if (feedState.value !== 'live') await refresh();
    } catch (err) {
      say(err);
    } finally {
      current.saving = null;
    }
  }

  // These three throw the server's refusal: the dialog that asked for the path shows it.
  async function createFile(path: string): Promise<void> {
    await api.writeFile(projectId.value, path, '', true);
  }
  async function createFolder(path: string): Promise<void> {
    await api.makeDirectory(projectId.value, path);
  }
  async function move(from: string, to: string): Promise<void> {
    await api.moveFile(projectId.value, from, to);
  }

  /** Keeps the open file, the open folders and the upload folder where a move took them. */
  function followMove(from: string, to: string): void {
    const moved = (path: string) => (isWithin(path, from) ? to + path.slice(from.length) : path);
    if (open.value) open.value.path = moved(open.value.path);
    targetDir.value = moved(targetDir.value);
    for (const path of [...expanded]) {
      if (path !== '' && isWithin(path, from)) {
        expanded.delete(path);
        expanded.add(moved(path));
      }
    }
  }

  async function remove(path: string): Promise<void> {
    try {
      await api.deleteFile(projectId.value, path);
      if (open.value && isWithin(open.value.path, path)) closeFile();
      if (isWithin(targetDir.value, path)) targetDir.value = parentOf(path);
      await refresh();
    } catch (err) {
      say(err);
    }
  }

  /** Uploads `items` (and the empty `folders` of a dropped folder) into `folder`, asking before replacing files. */
  async function sendUpload(items: UploadItem[], folder: string, emptyFolders: string[] = []): Promise<void> {
    const problem = uploadProblem(items, limits.value, emptyFolders);
    if (problem) {
      error.value = t(problem.key, problem);
      return;
    }
    error.value = null;
    let overwrite = false;
    for (;;) {
      const controller = new AbortController();
      uploadAbort = controller;
      upload.value = { count: items.length, folder, percent: 0 };
      try {
        const result = await uploadFiles(projectId.value, folder, items, {
          overwrite,
          folders: emptyFolders,
          signal: controller.signal,
          onProgress: (loaded, total) => {
            if (upload.value && total > 0) upload.value.percent = Math.min(100, Math.floor((loaded * 100) / total));
          },
        });
        upload.value = null;
        if (result.files.length === 0) showNote(t('files.uploadedFolders', { count: result.folders.length, folder: folderName(folder) }, result.folders.length));
        else showNote(t('files.uploaded', { count: result.files.length, folder: folderName(folder) }, result.files.length));
        targetDir.value = folder;
        // A folder upload opens in view: the folder it went into, and the uploaded folder itself.
        await reveal(uploadedFolder(folder, items, emptyFolders));
        await syncOpenFile();
        return;
      } catch (err) {
        upload.value = null;
        if (err instanceof UploadCancelled) {
          showNote(t('files.uploadCancelled'));
          return;
        }
        if (!overwrite && err instanceof ApiError && err.status === 409) {
          overwrite = await askConfirm({ title: t('files.replaceTitle'), body: err.message, confirmLabel: t('files.replace') });
          if (overwrite) continue;
          return;
        }
        say(err);
        return;
      } finally {
        if (uploadAbort === controller) uploadAbort = null;
      }
    }
  }
  function cancelUpload(): void {
    uploadAbort?.abort();
  }

  /** Takes what is on disk for the open file `current`: reloads it, or says it changed under unsaved edits. */
  function applyDiskContent(current: OpenFile, disk: string): void {
    if (open.value !== current) return;
    const decision = decideOnDiskChange(current, disk);
    if (decision === 'same') {
      if (diskNotice.value?.kind === 'deleted') diskNotice.value = null;
    } else if (decision === 'reload') {
      current.content = disk;
      current.saved = disk;
      diskNotice.value = null;
      showNote(t('files.reloaded'));
    } else diskNotice.value = { kind: 'changed', disk };
  }

  /**
   * Brings the open file in line with the disk after a change (or after reconnecting, without one):
   * follows a move, takes a new version when there are no unsaved edits, and otherwise only says so.
   */
  async function syncOpenFile(change?: ProjectFileChange): Promise<void> {
    const current = open.value;
    if (!current) return;
    if (change) {
      const moved = pathAfterMove(change, current.path);
      if (moved !== null) {
        followMove(current.path, moved);
        return;
      }
      if (!changeTouches(change, current.path)) return;
    }
    let disk: string;
    try {
      disk = (await api.readFile(projectId.value, current.path)).content;
    } catch (err) {
      if (open.value === current && err instanceof ApiError && err.status === 404) diskNotice.value = { kind: 'deleted' };
      return;
    }
    applyDiskContent(current, disk);
  }

  /** A change pushed by the server: list the open folders again and bring the open file in line. */
  function applyChange(change: ProjectFileChange): Promise<unknown> {
    return Promise.all([refresh(), syncOpenFile(change)]);
  }

  function loadDiskVersion(): void {
    const notice = diskNotice.value;
    if (!open.value || notice?.kind !== 'changed') return;
    open.value.content = notice.disk;
    open.value.saved = notice.disk;
    diskNotice.value = null;
  }
  function keepMine(): void {
    const notice = diskNotice.value;
    // What is on disk is now the version my edits are measured against: they stay unsaved.
    if (open.value && notice?.kind === 'changed') open.value.saved = notice.disk;
    diskNotice.value = null;
  }

  // Changes pushed by the server (the agent's file tools, other tabs, uploads) keep the view current;
  // a slow poll stands in only while the feed is down.
  let stopFeed: (() => void) | null = null;
  let fallbackTimer: ReturnType<typeof setInterval> | undefined;
  function setFallbackPoll(on: boolean): void {
    if (on && !fallbackTimer) {
      fallbackTimer = setInterval(() => {
        if (document.visibilityState !== 'visible') return;
        void refresh();
        void syncOpenFile();
      }, FALLBACK_POLL_MS);
    } else if (!on && fallbackTimer) {
      clearInterval(fallbackTimer);
      fallbackTimer = undefined;
    }
  }
  function follow(id: string): void {
    stopFeed?.();
    setFallbackPoll(false);
    let refused = false;
    stopFeed = watchProjectFiles(id, {
      onReady: () => {
        void refresh();
        void syncOpenFile();
      },
      onChange: (change) => void applyChange(change),
      onState: (state) => {
        feedState.value = state;
        // Refused for good (the project is gone, the sign-in ended): polling would be refused too.
        if (state === 'live' || refused) setFallbackPoll(false);
        else if (state === 'down') setFallbackPoll(true);
      },
      onRefused: (status, message) => {
        refused = true;
        if (status === 404) error.value = message;
      },
    });
  }

  /** Forgets the previous project and shows `id`: its top folder, its live changes. */
  function showProject(id: string): void {
    projectId.value = id;
    dirs.clear();
    expanded.clear();
    expanded.add('');
    open.value = null;
    diskNotice.value = null;
    targetDir.value = '';
    error.value = null;
    void list('');
    follow(id);
  }

  function loadLimits(): void {
    void api.fileLimits().then(
      (value) => (limits.value = value),
      () => (limits.value = null),
    );
  }

  /** Stops the feed, the poll, an upload in flight and the note timer (the view is going away). */
  function stop(): void {
    stopFeed?.();
    stopFeed = null;
    setFallbackPoll(false);
    uploadAbort?.abort();
    clearTimeout(noteTimer);
  }

  return {
    projectId,
    dirs,
    expanded,
    open,
    error,
    note,
    targetDir,
    diskNotice,
    feedState,
    limits,
    upload,
    dirty,
    rows,
    folderName,
    messageOf,
    say,
    showNote,
    list,
    refresh,
    toggle,
    expandTo,
    reveal,
    mayDiscardEdits,
    openFile,
    closeFile,
    save,
    createFile,
    createFolder,
    move,
    followMove,
    remove,
    sendUpload,
    cancelUpload,
    applyDiskContent,
    syncOpenFile,
    applyChange,
    loadDiskVersion,
    keepMine,
    showProject,
    loadLimits,
    stop,
  };
});
