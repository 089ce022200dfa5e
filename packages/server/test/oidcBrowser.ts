/**
 * A browser's part of the OIDC code flow, by fetch: cookies kept per host, redirects followed by hand
 * so a test can stop at the callback, change it, and send it on.
 */
export class FlowBrowser {
  private readonly jars = new Map<string, Map<string, string>>();

  cookie(url: string, name: string): string | undefined {
    return this.jars.get(new URL(url).host)?.get(name);
  }

  setCookie(url: string, name: string, value: string): void {
    const host = new URL(url).host;
    const jar = this.jars.get(host) ?? new Map<string, string>();
    jar.set(name, value);
    this.jars.set(host, jar);
  }

  async request(url: string, init: { method?: string; form?: Record<string, string>; accept?: string } = {}): Promise<Response> {
    const target = new URL(url);
    const jar = this.jars.get(target.host) ?? new Map<string, string>();
    const headers: Record<string, string> = { accept: init.accept ?? 'application/json' };
    if (jar.size > 0) headers.cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
    if (init.form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(target, {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      headers,
      redirect: 'manual',
      ...(init.form && { body: new URLSearchParams(init.form).toString() }),
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const gone = value === '' || attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=.*1970/i.test(a));
      if (gone) jar.delete(name);
      else jar.set(name, value);
    }
    this.jars.set(target.host, jar);
    return res;
  }

  /** Follows redirects from `url` until one leads to `stopAt` (answered unfollowed) or a page answers. */
  async follow(url: string, stopAt: string, init: { form?: Record<string, string> } = {}): Promise<{ url: string; res: Response | null }> {
    let current = url;
    let res = await this.request(current, { ...init, accept: 'text/html' });
    for (let hops = 0; hops < 10 && res.status >= 300 && res.status < 400; hops += 1) {
      current = new URL(res.headers.get('location')!, current).href;
      if (current.startsWith(stopAt)) return { url: current, res: null };
      res = await this.request(current, { accept: 'text/html' });
    }
    return { url: current, res };
  }
}

/**
 * Starts a sign-in at the app and signs in at the test provider's login page as `login`; answers the
 * callback URL the provider sends the browser to (not yet visited).
 */
export async function signInAtProvider(browser: FlowBrowser, appUrl: string, login: string, returnTo = '/'): Promise<string> {
  const callback = `${appUrl}/api/auth/oidc/callback`;
  const start = await browser.request(`${appUrl}/api/auth/oidc/login?redirect=${encodeURIComponent(returnTo)}`, { accept: 'text/html' });
  if (start.status !== 302) throw new Error(`sign-in start answered ${start.status}: ${await start.text()}`);
  const page = await browser.follow(start.headers.get('location')!, callback);
  if (!page.res) return page.url;
  const html = await page.res.text();
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error(`no login form at ${page.url}: ${html.slice(0, 500)}`);
  const done = await browser.follow(new URL(action, page.url).href, callback, { form: { prompt: 'login', login, password: 'any password' } });
  if (done.res) throw new Error(`the provider did not come back to the app: ${done.res.status} at ${done.url}: ${(await done.res.text()).slice(0, 500)}`);
  return done.url;
}
