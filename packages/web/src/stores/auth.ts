import { defineStore } from 'pinia';
import { ref } from 'vue';
import { api, type ApiUser } from '../api/http';
import { getToken, setToken } from '../lib/session';
import { useConversationsStore } from './conversations';
import { useChatStore } from './chat';

/** Who is signed in. Single-user mode: nobody needs to; multi-user mode: a token from login/register. */
export const useAuthStore = defineStore('auth', () => {
  const mode = ref<'single' | 'multi' | null>(null);
  const user = ref<ApiUser | null>(null);
  let initialising: Promise<void> | null = null;

  function init(): Promise<void> {
    initialising ??= (async () => {
      try {
        mode.value = (await api.authMode()).mode;
      } catch {
        mode.value = 'single';
      }
      if (mode.value === 'multi' && getToken()) {
        try {
          user.value = await api.profile();
        } catch {
          setToken(null);
          user.value = null;
        }
      }
    })();
    return initialising;
  }

  const needsLogin = () => mode.value === 'multi' && !getToken();

  async function login(username: string, password: string): Promise<void> {
    const result = await api.login(username, password);
    setToken(result.token);
    user.value = result.user;
  }

  async function register(username: string, password: string, email?: string): Promise<void> {
    const result = await api.register(username, password, email);
    setToken(result.token);
    user.value = result.user;
  }

  /** Forgets the token and everything loaded for that account. */
  function logout(): void {
    setToken(null);
    user.value = null;
    useConversationsStore().clear();
    const chat = useChatStore();
    for (const id of [...chat.sessions.keys()]) chat.forget(id);
  }

  return { mode, user, init, needsLogin, login, register, logout };
});
