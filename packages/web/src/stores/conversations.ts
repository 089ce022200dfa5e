import { defineStore } from 'pinia';
import { ref } from 'vue';
import { api, ApiError, type ApiConversation, type ConversationSettings } from '../api/http';

/** The sidebar's list: newest first, loaded page by page with the cursor API. */
export const useConversationsStore = defineStore('conversations', () => {
  const items = ref<ApiConversation[]>([]);
  const cursor = ref<string | null>(null);
  const hasMore = ref(true);
  const loading = ref(false);
  const error = ref<string | null>(null);
  /** The sidebar shows one project's conversations, or all of them (null). */
  const projectId = ref<string | null>(localStorage.getItem('nanoclaw.project') || null);
  let generation = 0;

  async function loadMore(): Promise<void> {
    if (loading.value || !hasMore.value) return;
    loading.value = true;
    error.value = null;
    const mine = generation;
    try {
      const page = await api.listConversations(cursor.value, 30, projectId.value);
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

  function upsert(conversation: ApiConversation, toTop = false): void {
    if (projectId.value && conversation.project_id !== projectId.value) return;
    const at = items.value.findIndex((c) => c.id === conversation.id);
    if (at >= 0) {
      const merged = { ...items.value[at]!, ...conversation };
      if (toTop) {
        items.value.splice(at, 1);
        items.value.unshift(merged);
      } else items.value[at] = merged;
    } else items.value.unshift(conversation);
  }

  function patchLocal(id: string, fields: Partial<ApiConversation>, toTop = false): void {
    const existing = items.value.find((c) => c.id === id);
    if (existing) upsert({ ...existing, ...fields }, toTop);
  }

  async function create(fields: ConversationSettings = {}): Promise<ApiConversation> {
    const conversation = await api.createConversation({ ...(projectId.value ? { project_id: projectId.value } : {}), ...fields });
    upsert(conversation, true);
    return conversation;
  }

  async function update(id: string, fields: ConversationSettings): Promise<ApiConversation> {
    const conversation = await api.updateConversation(id, fields);
    // Moved out of the project the list shows: it leaves the list.
    if (projectId.value && conversation.project_id !== projectId.value) items.value = items.value.filter((c) => c.id !== id);
    else upsert(conversation);
    return conversation;
  }

  async function remove(id: string): Promise<void> {
    await api.deleteConversation(id);
    items.value = items.value.filter((c) => c.id !== id);
  }

  return { items, hasMore, loading, error, projectId, selectProject, loadMore, clear, reload, upsert, patchLocal, create, update, remove };
});
