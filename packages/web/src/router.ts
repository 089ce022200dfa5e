import { createRouter, createWebHistory, START_LOCATION } from 'vue-router';
import HomeView from './views/HomeView.vue';
import ChatView from './views/ChatView.vue';
import LoginView from './views/LoginView.vue';
import { useAuthStore } from './stores/auth';
import { setUnauthorizedHandler } from './lib/session';

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/', name: 'home', component: HomeView },
    { path: '/c/:id', name: 'chat', component: ChatView, props: true },
    { path: '/stats', name: 'stats', component: () => import('./views/StatsView.vue') },
    { path: '/projects/:id/files', name: 'files', component: () => import('./views/FilesView.vue'), props: true },
    { path: '/login', name: 'login', component: LoginView, meta: { public: true } },
    { path: '/:rest(.*)*', redirect: '/' },
  ],
});

// Multi-user mode: every page but the sign-in page needs a token; single-user mode never shows it.
router.beforeEach(async (to) => {
  const auth = useAuthStore();
  await auth.init();
  if (to.name === 'login') return auth.needsLogin() ? true : { path: '/' };
  if (auth.needsLogin()) return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} };
  return true;
});

setUnauthorizedHandler(() => {
  const auth = useAuthStore();
  auth.logout();
  const current = router.currentRoute.value;
  // Before the first page is shown, the guard above decides (and keeps the sign-in page's query, e.g. sso=done).
  if (current === START_LOCATION) return;
  if (current.name !== 'login') void router.replace({ name: 'login', query: current.fullPath !== '/' ? { redirect: current.fullPath } : {} });
});
