import { createReadStream, existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve, sep } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/**
 * The page's own scripts and styles only; inline styles are allowed (KaTeX positions math with them).
 * Defence in depth behind the DOMPurify sanitising of rendered messages.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob: https:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'self'",
  "form-action 'self'",
].join('; ');

/**
 * Paths that belong to the API and to operations, never to the web app: an unknown path under them is a
 * JSON 404, not the app's HTML.
 */
export const NON_APP_PREFIXES = ['/api', '/v1', '/health', '/healthz', '/ready', '/readyz', '/livez', '/metrics', '/openapi.json', '/docs'];

export function isNonAppPath(pathname: string): boolean {
  return NON_APP_PREFIXES.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`));
}

/** The catch-all routes of the web app (left out when telling a known path's methods). */
export const STATIC_UI_ROUTES = ['/', '/*'];

/**
 * Where the built web UI is: NANOCLAW_WEB_DIST, else the dist directory of the @nanoclaw/web package
 * (found through node_modules, so the same from src/, tests and the bundled server).
 */
export function webDistDir(): string | undefined {
  if (process.env.NANOCLAW_WEB_DIST) return resolve(process.env.NANOCLAW_WEB_DIST);
  try {
    return join(dirname(createRequire(import.meta.url).resolve('@nanoclaw/web/package.json')), 'dist');
  } catch {
    return undefined; // the web package is not installed: API only
  }
}

/**
 * Serves the built web UI (packages/web/dist) at `/`: files as they are (hashed assets cached for a
 * year), and index.html for every other GET outside the API and operational paths (NON_APP_PREFIXES) so the single-page app's own routes work on
 * reload. Does nothing when the UI has not been built. Answers whether it registered.
 */
export function registerStaticUi(app: FastifyInstance, root: string | undefined = webDistDir()): boolean {
  if (root === undefined) return false;
  const indexFile = resolve(root, 'index.html');
  if (!existsSync(indexFile)) return false;

  const sendFile = (reply: FastifyReply, file: string, cacheControl: string) => {
    const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    reply.header('content-type', type).header('cache-control', cacheControl).header('x-content-type-options', 'nosniff');
    if (type.startsWith('text/html')) reply.header('content-security-policy', CONTENT_SECURITY_POLICY).header('referrer-policy', 'same-origin');
    return reply.send(createReadStream(file));
  };

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const pathname = request.url.split('?')[0] ?? '/';
    if (isNonAppPath(pathname)) return reply.callNotFound();
    let relative: string;
    try {
      relative = decodeURIComponent(pathname);
    } catch {
      return reply.callNotFound();
    }
    if (relative.includes('\0')) return reply.callNotFound();
    const file = resolve(root, `.${relative}`);
    if (file !== root && !file.startsWith(root + sep)) return reply.callNotFound();
    if (file !== root && existsSync(file) && statSync(file).isFile()) {
      const immutable = relative.startsWith('/assets/');
      return sendFile(reply, file, immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    }
    // A missing file with an extension is a real 404, not the app (a broken <script src> must not get HTML).
    if (extname(relative) && !relative.endsWith('.html')) return reply.callNotFound();
    return sendFile(reply, indexFile, 'no-cache');
  };

  // The web app's pages are not API: left out of the OpenAPI document.
  app.get('/', { schema: { hide: true } }, handler);
  app.get('/*', { schema: { hide: true } }, handler);
  return true;
}
