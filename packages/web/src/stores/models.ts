import { defineStore } from 'pinia';
import { ref } from 'vue';
import { api, type ApiModel } from '../api/http';

export const useModelsStore = defineStore('models', () => {
  const models = ref<ApiModel[]>([]);
  let loading: Promise<void> | null = null;
  function load(): Promise<void> {
    loading ??= api
      .models()
      .then((list) => {
        models.value = list;
      })
      .catch(() => {
        loading = null;
      });
    return loading;
  }
  const nameOf = (id: string) => models.value.find((m) => m.id === id)?.name ?? id;
  return { models, load, nameOf };
});
