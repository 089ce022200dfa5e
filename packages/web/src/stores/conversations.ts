import { defineStore } from 'pinia';
import { ref } from 'vue';
import { api, ApiError, type ApiConversation, type ConversationSettings } from '../api/http';

const PINNED_LIMIT = 100;

/**
 * The sidebar's lists: pinned conversations (all of them, loaded at once), and the others newest first,
 * loaded page by page with the cursor API.
 */
export const useConversationsStore = defineStore('conversations', () => {
  const items = ref<ApiConversation[]>([]);
  const pinned = ref<ApiConversation[]>([]);
  const cursor = ref<string | null>(null);
  const hasMore = ref(true);
  const loading = ref(false);
  const error = ref<string | null>(null);
  /** The sidebar shows one project's conversations, or all of them (null). */
  const projectId = ref<string | null>(localStorage.getItem('nanoclaw.project') || null);
  let generation = 0;

  async function loadPinned(mine: number): Promise<void> {
    const page = await api.listConversations(null, PINNED_LIMIT, projectId.value, true);
    if (mine === generation) pinned.value = page.items;
  }

  async function loadMore(): Promise<void> {
    if (loading.value || !hasMore.value) return;
    loading.value = true;
    error.value = null;
    const mine = generation;
    try {
      const first = cursor.value === null;
      const [page] = await Promise.all([api.listConversations(cursor.value, 30, projectId.value, false), first ? loadPinned(mine) : undefined]);
      if (mine !== generation) return;
      const known = new Set(items.value.map((c) => c.id));
      items.value.push(...page.items.filter((c) => !known.has(c.id)));
      cursor.value = page.next_cursor;
      hasMore.value = page.has_more && !!page.next_cursor;
    } catch (err) {
      error.value = err instanceof ApiError ? err.message : String(err);
    } finally {
      if (mine === generation) loading.value = false;
    }
  }

  function clear(): void {
    generation++;
    loading.value = false;
    items.value = [];
    pinned.value = [];
    cursor.value = null;
    hasMore.value = true;
    error.value = null;
  }

  async function reload(): Promise<void> {
    clear();
    await loadMore();
  }

  async function selectProject(id: string | null): Promise<void> {
    projectId.value = id;
    if (id) localStorage.setItem('nanoclaw.project', id);
    else localStorage.removeItem('nanoclaw.project');
    await reload();
  }

  /** A conversation wherever the sidebar holds it. */
  function find(id: string): ApiConversation | undefined {
    return pinned.value.find((c) => c.id === id) ?? items.value.find((c) => c.id === id);
  }

  function upsert(conversation: ApiConversation, toTop = false): void {
    if (projectId.value && conversation.project_id !== projectId.value) return;
    const previous = find(conversation.id);
    const merged = { ...previous, ...conversation };
    // Answers without the field (older servers) keep where the conversation was.
    const isPinned = typeof conversation.pinned === 'boolean' ? conversation.pinned : pinned.value.some((c) => c.id === conversation.id);
    const [list, other] = isPinned ? [pinned, items] : [items, pinned];
    other.value = other.value.filter((c) => c.id !== conversation.id);
    const at = list.value.findIndex((c) => c.id === conversation.id);
    // Pinned conversations keep their place (by when they were pinned); the others go to the top on activity.
    if (at >= 0 && (!toTop || isPinned)) list.value[at] = merged;
    else {
      if (at >= 0) list.value.splice(at, 1);
      list.value.unshift(merged);
    }
  }

  function patchLocal(id: string, fields: Partial<ApiConversation>, toTop = false): void {
    const existing = find(id);
    if (existing) upsert({ ...existing, ...fields }, toTop);
  }

  async function create(fields: ConversationSettings = {}): Promise<ApiConversation> {
    const conversation = await api.createConversation({ ...(projectId.value ? { project_id: projectId.value } : {}), ...fields });
    upsert(conversation, true);
    return conversation;
  }

  function dropLocal(id: string): void {
    items.value = items.value.filter((c) => c.id !== id);
    pinned.value = pinned.value.filter((c) => c.id !== id);
  }

  async function update(id: string, fields: ConversationSettings): Promise<ApiConversation> {
    const conversation = await api.updateConversation(id, fields);
    // Moved out of the project the list shows: it leaves the list.
    if (projectId.value && conversation.project_id !== projectId.value) dropLocal(id);
    else upsert(conversation);
    return conversation;
  }

  /** Pins (first in the sidebar, newest pin on top) or unpins a conversation. */
  async function setPinned(id: string, on: boolean): Promise<ApiConversation> {
    const conversation = await api.setPinned(id, on);
    dropLocal(id);
    if (on) pinned.value.unshift(conversation);
    else {
      // Back among the others at its place by last activity.
      const at = items.value.findIndex((c) => c.updated_at < conversation.updated_at || (c.updated_at === conversation.updated_at && c.id < conversation.id));
      if (at >= 0) items.value.splice(at, 0, conversation);
      else if (!hasMore.value) items.value.push(conversation);
    }
    return conversation;
  }

  async function remove(id: string): Promise<void> {
    await api.deleteConversation(id);
    dropLocal(id);
  }

  return { items, pinned, hasMore, loading, error, projectId, selectProject, loadMore, clear, reload, find, upsert, patchLocal, create, update, setPinned, remove };
});
