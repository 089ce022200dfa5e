import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { ApiAuthMode } from '@nanoclaw/protocol';
import { api, type ApiLoginResult, type ApiUser } from '../api/http';
import { getToken, setToken } from '../lib/session';
import { useConversationsStore } from './conversations';
import { useChatStore } from './chat';

/** Who is signed in. Single-user mode: nobody needs to; multi-user mode: a token from login/register or single sign-on. */
export const useAuthStore = defineStore('auth', () => {
  const mode = ref<'single' | 'multi' | null>(null);
  const user = ref<ApiUser | null>(null);
  /** Whether the password form is offered, and the single sign-on provider if any. */
  const localLogin = ref(true);
  const oidc = ref<ApiAuthMode['oidc']>(null);
  let initialising: Promise<void> | null = null;

  function init(): Promise<void> {
    initialising ??= (async () => {
      try {
        const answer = await api.authMode();
        mode.value = answer.mode;
        localLogin.value = answer.local_login;
        oidc.value = answer.oidc;
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

  function signedIn(result: ApiLoginResult): void {
    setToken(result.token);
    user.value = result.user;
  }

  async function login(username: string, password: string): Promise<void> {
    signedIn(await api.login(username, password));
  }

  async function register(username: string, password: string, email?: string): Promise<void> {
    signedIn(await api.register(username, password, email));
  }

  /** After the provider sent the browser back: the server's one-minute hand-off becomes the token. */
  async function finishSso(): Promise<void> {
    signedIn(await api.oidcSession());
  }

  /** Forgets the token and everything loaded for that account. */
  function logout(): void {
    setToken(null);
    user.value = null;
    useConversationsStore().clear();
    const chat = useChatStore();
    for (const id of [...chat.sessions.keys()]) chat.forget(id);
  }

  return { mode, user, localLogin, oidc, init, needsLogin, login, register, finishSso, logout };
});
