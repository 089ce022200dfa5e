import FindMyWay from 'find-my-way';
import type { FastifyInstance, HTTPMethods } from 'fastify';

/**
 * Remembers every route as it is registered (method and URL pattern) so a request for a known path with
 * another method can be answered 405 with `Allow`, instead of 404. Call before registering routes.
 * `ignore`: URL patterns left out (the web app's catch-all, which would make every path "known").
 */
export function trackRouteMethods(
  app: FastifyInstance,
  ignore: readonly string[] = [],
): { allowedMethods(path: string): string[]; list(): ReadonlyArray<{ method: string; url: string }> } {
  const router = FindMyWay();
  const methods = new Set<string>();
  const registered: Array<{ method: string; url: string }> = [];
  app.addHook('onRoute', (route) => {
    if (ignore.includes(route.url)) return;
    const list = (Array.isArray(route.method) ? route.method : [route.method]) as HTTPMethods[];
    for (const method of list) {
      const upper = method.toUpperCase();
      registered.push({ method: upper, url: route.url });
      if (router.hasRoute(upper as never, route.url)) continue;
      router.on(upper as never, route.url, () => {});
      methods.add(upper);
    }
  });
  return {
    /** Every route registered so far (the web app's catch-all left out), as registered. */
    list: () => registered,
    allowedMethods(path) {
      return [...methods].filter((method) => router.find(method as never, path) !== null).sort();
    },
  };
}
