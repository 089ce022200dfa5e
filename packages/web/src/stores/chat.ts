import { defineStore } from 'pinia';
import { reactive } from 'vue';
import type { Attachment, FileRef } from '@nanoclaw/protocol';
import { api, ApiError, type ConversationDetail } from '../api/http';
import { openRunStream, type ReceivedRunEvent, type StreamEnd } from '../api/runStream';
import { applyProcessStep } from '@nanoclaw/protocol';
import { fromApi, type UiMessage } from '../lib/steps';
import { switchedPath } from '../lib/branches';
import { useConversationsStore } from './conversations';

/** A failure the page shows inline: a sentence (or a message key) and what "Retry" does. */
export interface InlineError {
  message: string;
  /** Translation key to use instead of `message` (for failures the browser itself detected). */
  key?: string;
  /** A quota of the user is used up (429): `message` is the server's sentence, shown as it is. */
  limit?: boolean;
  retry?: () => void;
}

/** A message written while an answer was being written: sent, in order, once the run ends. */
export interface QueuedMessage {
  id: string;
  text: string;
  attachments: Attachment[];
  files: FileRef[];
  toolsEnabled: boolean;
}

export interface ChatSession {
  id: string;
  conversation: ConversationDetail | null;
  messages: UiMessage[];
  loaded: boolean;
  loading: boolean;
  notFound: boolean;
  loadError: string | null;
  running: boolean;
  stopping: boolean;
  reconnecting: boolean;
  lastEventId: string | undefined;
  sendError: InlineError | null;
  /** Where older messages continue (null when the oldest is loaded). */
  olderCursor: string | null;
  loadingOlder: boolean;
  /** Messages waiting for the running answer to end. */
  queued: QueuedMessage[];
  /**
   * Every message of the conversation's tree (`?all=true`), fetched once the shown path has versions,
   * so switching versions shows at once; null until then, and again after anything changed.
   */
  tree: Promise<UiMessage[]> | null;
}

/** A message sent as a new version: under `parentId` (null: a new first message), shown instead of the messages from `at` on. */
interface Branching {
  parentId: string | null;
  at: number;
}

/** Messages fetched per page: a conversation opens at its newest page and loads older ones on scroll. */
const MESSAGE_PAGE = 100;

const RECONNECT_TRIES = 5;
let localSeq = 0;
const controllers = new Map<string, AbortController>();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A 429 from the server: a quota used up (its sentence says which and when it resets). */
function isLimit(err: unknown): boolean {
  return err instanceof ApiError && err.status === 429;
}

function reasonOf(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  return err instanceof Error ? err.message : String(err);
}

export const useChatStore = defineStore('chat', () => {
  const sessions = reactive(new Map<string, ChatSession>());
  const conversations = useConversationsStore();

  function session(id: string): ChatSession {
    let s = sessions.get(id);
    if (!s) {
      sessions.set(id, {
        id,
        conversation: null,
        messages: [],
        loaded: false,
        loading: false,
        notFound: false,
        loadError: null,
        running: false,
        stopping: false,
        reconnecting: false,
        lastEventId: undefined,
        sendError: null,
        olderCursor: null,
        loadingOlder: false,
        queued: [],
        tree: null,
      });
      s = sessions.get(id)!;
    }
    return s;
  }

  function localMessage(role: UiMessage['role'], fields: Partial<UiMessage> = {}): UiMessage {
    return {
      id: `local-${role}-${++localSeq}`,
      role,
      text: '',
      steps: [],
      status: role === 'assistant' ? 'streaming' : 'complete',
      token_count: 0,
      created_at: new Date().toISOString(),
      local: true,
      ...fields,
    };
  }

  /** Reads the whole tree in pages (creation order). */
  async function readTree(id: string): Promise<UiMessage[]> {
    const all: UiMessage[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof api.listMessages>> = await api.listMessages(id, cursor, MESSAGE_PAGE, 'forward', true);
      all.push(...page.items.map(fromApi));
      cursor = page.has_more ? page.next_cursor : null;
    } while (cursor);
    return all;
  }

  /** Forgets the tree read before (something changed) and reads it again in the background when the path shows versions. */
  function renewTree(s: ChatSession): void {
    s.tree = null;
    if (!s.messages.some((m) => (m.sibling_ids?.length ?? 1) > 1)) return;
    const reading = readTree(s.id);
    reading.catch(() => {
      if (s.tree === reading) s.tree = null;
    });
    s.tree = reading;
  }

  /**
   * Reloads the newest stored messages (after a run, the stored answer is the truth) and keeps the older
   * ones already loaded, when the fresh page still reaches back to them.
   */
  async function refresh(s: ChatSession): Promise<void> {
    try {
      const page = await api.listMessages(s.id, null, MESSAGE_PAGE, 'backward');
      if (s.running) return;
      const fresh = page.items.map(fromApi);
      const overlap = fresh.length ? s.messages.findIndex((m) => m.id === fresh[0]!.id) : -1;
      if (page.has_more && overlap > 0) s.messages = [...s.messages.slice(0, overlap), ...fresh];
      else {
        s.messages = fresh;
        s.olderCursor = page.has_more ? page.next_cursor : null;
      }
      renewTree(s);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) s.notFound = true;
    }
  }

  /** Re-reads the conversation (its title is set by the server on the first message). */
  async function refreshConversation(s: ChatSession): Promise<void> {
    try {
      const detail = await api.getConversation(s.id);
      s.conversation = detail;
      conversations.upsert(stripRunning(detail));
    } catch {
      /* the list keeps what it had */
    }
  }

  /** Loads the page of messages before the oldest one shown. */
  async function loadOlder(s: ChatSession): Promise<void> {
    if (!s.olderCursor || s.loadingOlder) return;
    s.loadingOlder = true;
    try {
      const page = await api.listMessages(s.id, s.olderCursor, MESSAGE_PAGE, 'backward');
      s.messages = [...page.items.map(fromApi), ...s.messages];
      s.olderCursor = page.has_more ? page.next_cursor : null;
    } catch (err) {
      s.loadError = reasonOf(err);
    } finally {
      s.loadingOlder = false;
    }
  }

  /** Opens a conversation: loads it and, when an answer is being written, re-attaches to its stream. */
  async function open(id: string): Promise<ChatSession> {
    const s = session(id);
    if (s.running || s.loading) return s;
    s.loading = true;
    s.loadError = null;
    try {
      const [detail, page] = await Promise.all([api.getConversation(id), api.listMessages(id, null, MESSAGE_PAGE, 'backward')]);
      s.conversation = detail;
      s.notFound = false;
      conversations.upsert(stripRunning(detail));
      if (!s.running) {
        s.messages = page.items.map(fromApi);
        s.olderCursor = page.has_more ? page.next_cursor : null;
        renewTree(s);
      }
      s.loaded = true;
      const last = s.messages.at(-1);
      if (!s.running && (detail.running || (last?.role === 'assistant' && last.status === 'streaming'))) void attach(id);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) s.notFound = true;
      else s.loadError = reasonOf(err);
    } finally {
      s.loading = false;
    }
    return s;
  }

  function handleEvent(s: ChatSession, answer: UiMessage, event: ReceivedRunEvent): void {
    if (event.id) s.lastEventId = event.id;
    if (event.event === 'retry') {
      answer.retry = { ...event.data, at: Date.now() };
      return;
    }
    delete answer.retry;
    if (event.event === 'process_step') applyProcessStep(answer.steps, event.data);
    else if (event.event === 'done') {
      const { data } = event;
      answer.status = data.status ?? 'complete';
      answer.id = data.message_id;
      answer.local = false;
      answer.token_count = data.token_count;
      if (data.suggested_title) {
        conversations.patchLocal(s.id, { title: data.suggested_title });
        if (s.conversation) s.conversation.title = data.suggested_title;
      }
    } else {
      answer.status = 'error';
      answer.error = event.data.content;
    }
  }

  /**
   * Follows a run's stream into `answer`; when the connection is cut before the run ended, re-attaches
   * with the last event id. Throws ApiError when the server refuses to start.
   */
  async function follow(s: ChatSession, url: string, init: RequestInit, answer: UiMessage): Promise<void> {
    const controller = new AbortController();
    controllers.set(s.id, controller);
    s.running = true;
    s.lastEventId = undefined;
    const onEvent = (event: ReceivedRunEvent) => handleEvent(s, answer, event);
    try {
      let end: StreamEnd = await openRunStream(url, init, { onEvent }, controller.signal);
      for (let tries = 1; end === 'cut' && !controller.signal.aborted && tries <= RECONNECT_TRIES; tries++) {
        s.reconnecting = true;
        await sleep(300 * tries);
        try {
          const after = s.lastEventId ? `?last_event_id=${encodeURIComponent(s.lastEventId)}` : '';
          if (!s.lastEventId) answer.steps.splice(0);
          end = await openRunStream(`/api/conversations/${encodeURIComponent(s.id)}/stream${after}`, { method: 'GET' }, { onEvent }, controller.signal);
        } catch (err) {
          if (err instanceof ApiError && err.status === 404) break; // the run is over: its answer is stored
        }
      }
    } finally {
      controllers.delete(s.id);
      s.running = false;
      s.stopping = false;
      s.reconnecting = false;
    }
    const error = answer.error;
    await Promise.all([refresh(s), refreshConversation(s)]);
    // Keep the stream's error sentence if the stored message does not carry one.
    const stored = s.messages.find((m) => m.id === answer.id);
    if (stored && error && !stored.error) stored.error = error;
    sendNextQueued(s);
  }

  /** Keeps a message for when the running answer ends (sent at once when nothing is running). */
  function enqueue(id: string, text: string, attachments: Attachment[], toolsEnabled: boolean, files: FileRef[] = []): void {
    const s = session(id);
    s.queued.push({ id: `queued-${++localSeq}`, text, attachments, files, toolsEnabled });
    if (!s.running) sendNextQueued(s);
  }

  function cancelQueued(id: string, queuedId: string): void {
    const s = session(id);
    s.queued = s.queued.filter((q) => q.id !== queuedId);
  }

  /** Stops the running answer (keeping what it wrote) and sends this message first once it has stopped. */
  async function stopAndSend(id: string, text: string, attachments: Attachment[], toolsEnabled: boolean, files: FileRef[] = []): Promise<void> {
    const s = session(id);
    s.queued.unshift({ id: `queued-${++localSeq}`, text, attachments, files, toolsEnabled });
    if (s.running) await stop(id);
    else sendNextQueued(s);
  }

  function sendNextQueued(s: ChatSession): void {
    if (s.running) return;
    const next = s.queued.shift();
    if (next) void send(s.id, next.text, next.attachments, next.toolsEnabled, next.files);
  }

  async function send(id: string, text: string, attachments: Attachment[], toolsEnabled: boolean, files: FileRef[] = [], branching?: Branching): Promise<void> {
    const s = session(id);
    if (s.running) return;
    s.sendError = null;
    const replaced = branching ? s.messages.splice(branching.at) : [];
    const question = localMessage('user', { text, ...(attachments.length ? { attachments } : {}), ...(files.length ? { files } : {}) });
    s.messages.push(question, localMessage('assistant'));
    const answer = s.messages.at(-1)!;
    conversations.patchLocal(id, { updated_at: new Date().toISOString() }, true);
    const body = {
      text,
      ...(attachments.length ? { attachments } : {}),
      ...(files.length ? { attachment_ids: files.map((f) => f.id) } : {}),
      tools_enabled: toolsEnabled,
      ...(branching && { parent_id: branching.parentId }),
    };
    try {
      await follow(s, `/api/conversations/${encodeURIComponent(id)}/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }, answer);
    } catch (err) {
      s.messages = [...s.messages.filter((m) => m.id !== question.id && m.id !== answer.id), ...replaced];
      s.sendError = {
        message: reasonOf(err),
        ...(!(err instanceof ApiError) || err.status === 0 ? { key: 'errors.network' } : {}),
        ...(isLimit(err) && { limit: true }),
        retry: () => void send(id, text, attachments, toolsEnabled, files, branching),
      };
      if (err instanceof ApiError && err.status === 409) void attach(id);
    }
  }

  /** Sends an edited message as a new version beside the old one (same parent, same attachments). */
  async function edit(id: string, messageId: string, text: string, toolsEnabled: boolean): Promise<void> {
    const s = session(id);
    const at = s.messages.findIndex((m) => m.id === messageId);
    const message = s.messages[at];
    if (!message || message.parent_id === undefined) return;
    await send(id, text, message.attachments ?? [], toolsEnabled, message.files ?? [], { parentId: message.parent_id, at });
  }

  /**
   * Shows another version of a shown message (`to`, one of its sibling_ids) with the path below it, at
   * once from the tree read before, and makes it the conversation's active path on the server.
   */
  async function switchVersion(id: string, to: string): Promise<void> {
    const s = session(id);
    if (s.running) return;
    const from = s.messages.find((m) => m.sibling_ids?.includes(to));
    if (!from || from.id === to) return;
    s.sendError = null;
    try {
      const tree = await (s.tree ?? (s.tree = readTree(id)));
      const switched = switchedPath(s.messages, tree, from.id, to);
      if (switched) s.messages = switched;
      await api.branch(id, to);
    } catch (err) {
      s.sendError = { message: reasonOf(err) };
      await refresh(s);
    }
  }

  async function regenerate(id: string, messageId: string): Promise<void> {
    const s = session(id);
    if (s.running) return;
    s.sendError = null;
    const at = s.messages.findIndex((m) => m.id === messageId);
    if (at < 0) return;
    const removed = s.messages.splice(at);
    s.messages.push(localMessage('assistant'));
    const answer = s.messages.at(-1)!;
    try {
      await follow(s, `/api/conversations/${encodeURIComponent(id)}/regenerate/${encodeURIComponent(messageId)}`, { method: 'POST' }, answer);
    } catch (err) {
      s.messages.splice(s.messages.indexOf(answer), 1, ...removed);
      s.sendError = { message: reasonOf(err), ...(isLimit(err) && { limit: true }), retry: () => void regenerate(id, messageId) };
      await refresh(s);
    }
  }

  /** Re-attaches to the run going on in this conversation (after a reload, in a second tab). */
  async function attach(id: string): Promise<void> {
    const s = session(id);
    if (s.running) return;
    let answer = s.messages.at(-1);
    if (answer && answer.role === 'assistant' && answer.status === 'streaming') {
      answer.steps.splice(0); // the replay starts from the first event
    } else {
      s.messages.push(localMessage('assistant'));
      answer = s.messages.at(-1)!;
    }
    try {
      await follow(s, `/api/conversations/${encodeURIComponent(id)}/stream`, { method: 'GET' }, answer);
    } catch {
      await refresh(s);
    }
  }

  async function stop(id: string): Promise<void> {
    const s = session(id);
    if (!s.running) return;
    s.stopping = true;
    try {
      const result = await api.stop(id);
      if (!result.stopped) controllers.get(id)?.abort();
    } catch (err) {
      s.stopping = false;
      s.sendError = { message: reasonOf(err) };
    }
  }

  async function deleteMessage(id: string, messageId: string): Promise<void> {
    const s = session(id);
    try {
      await api.deleteMessage(id, messageId);
    } catch (err) {
      s.sendError = { message: reasonOf(err) };
    }
    // Everything below it went too, and the path may have moved to another version.
    await refresh(s);
  }

  function forget(id: string): void {
    controllers.get(id)?.abort();
    sessions.delete(id);
  }

  return { sessions, session, open, loadOlder, send, edit, switchVersion, enqueue, cancelQueued, stopAndSend, regenerate, attach, stop, deleteMessage, forget, refresh };
});

function stripRunning(detail: ConversationDetail) {
  const { running: _running, ...rest } = detail;
  return rest;
}
