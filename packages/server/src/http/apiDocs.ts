import type { FastifyInstance } from 'fastify';
import { createJsonSchemaTransform } from 'fastify-type-provider-zod';

/** Where the OpenAPI document and its docs page are served (public: they describe the API, nothing more). */
export const OPENAPI_PATH = '/api/openapi.json';
export const DOCS_PREFIX = '/api/docs';

/**
 * The OpenAPI 3.1 document of every route, made by @fastify/swagger from the same zod schemas that validate
 * requests (fastify-type-provider-zod's transform), at `/api/openapi.json`, and Swagger UI at `/api/docs`.
 * Call before registering routes: the document collects them as they are registered. Both packages are
 * imported at run time, not bundled (Swagger UI serves its files from its own package directory).
 */
export async function registerApiDocs(app: FastifyInstance, version: string): Promise<void> {
  const { default: swagger } = await import('@fastify/swagger');
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'NanoClaw API',
        version,
        description:
          'The REST API under /api answers `{"code": 0, "data": …}` or `{"code": <status>, "message": …}`; agent runs answer with an event stream. ' +
          'The OpenAI-compatible API under /v1 takes an API key (`Authorization: Bearer nck_…`) and answers as OpenAI does.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'Multi-user mode: the token from POST /api/auth/login. /v1: an API key (nck_…).' },
        },
      },
      security: [{ bearer: [] }],
    },
    transform: withTags(createJsonSchemaTransform({ skipList: [] })),
  });
  app.get(OPENAPI_PATH, { schema: { summary: 'This OpenAPI document', tags: ['docs'] } }, async () => app.swagger());

  const { default: swaggerUi } = await import('@fastify/swagger-ui');
  // In a scope of its own: Swagger UI's page gets its own Content-Security-Policy, nothing else does.
  await app.register(async (scope) => {
    await scope.register(swaggerUi, {
      routePrefix: DOCS_PREFIX,
      uiConfig: { validatorUrl: null, deepLinking: true },
      // Its inline script and style by hash; no third-party hosts (the validator badge is off), and no
      // upgrade to https, which would break the page on a plain-HTTP LAN address.
      staticCSP: true,
      transformStaticCSP: (header) =>
        header
          .replace(' validator.swagger.io', '')
          .replaceAll(" https:", '')
          .replace(' upgrade-insecure-requests;', " connect-src 'self'; form-action 'self';"),
    });
  });
}

type Transform = ReturnType<typeof createJsonSchemaTransform>;

/**
 * Groups the document's operations: a route without tags gets the resource it belongs to (`/api/projects/…`
 * → `projects`, `/v1/…` → `openai`), so the docs page lists them by resource rather than as one long list.
 */
function withTags(transform: Transform): Transform {
  return (input) => {
    const out = transform(input);
    const schema = (out.schema ?? {}) as { hide?: boolean; tags?: string[] };
    if (schema.hide || schema.tags) return out;
    return { ...out, schema: { ...schema, tags: [tagOf(input.url)] } };
  };
}

export function tagOf(url: string): string {
  const [first, second] = url.split('/').filter(Boolean);
  if (first === 'v1') return 'openai';
  return second ?? first ?? 'app';
}
