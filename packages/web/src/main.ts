import { createApp } from 'vue';
import { createPinia } from 'pinia';
import 'katex/dist/katex.min.css';
import './styles/highlight.css';
import './styles/app.css';
import App from './App.vue';
import { i18n } from './i18n';
import { router } from './router';

createApp(App).use(createPinia()).use(i18n).use(router).mount('#app');
