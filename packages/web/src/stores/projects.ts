import { defineStore } from 'pinia';
import { ref } from 'vue';
import { api, type ApiProject } from '../api/http';

export const useProjectsStore = defineStore('projects', () => {
  const items = ref<ApiProject[]>([]);
  const loaded = ref(false);
  async function load(): Promise<void> {
    try {
      items.value = await api.listProjects();
    } catch {
      items.value = [];
    } finally {
      loaded.value = true;
    }
  }
  async function create(name: string): Promise<ApiProject> {
    const project = await api.createProject(name);
    items.value.push(project);
    items.value.sort((a, b) => a.name.localeCompare(b.name));
    return project;
  }
  const nameOf = (id: string | null | undefined) => (id ? (items.value.find((p) => p.id === id)?.name ?? null) : null);
  return { items, loaded, load, create, nameOf };
});
