import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from './appContext.js';
import { errorHandler, sendError } from './errorHandler.js';
import { registerAuth } from './auth.js';
import { logIgnoredBodyFields } from './logIgnoredBodyFields.js';
import { acceptEmptyJsonBodies } from './emptyJsonBody.js';
import { metaRoutes } from './routes/meta.js';
import { conversationRoutes } from './routes/conversations.js';
import { searchRoutes } from './routes/search.js';
import { messageRoutes } from './routes/messages.js';
import { runRoutes } from './routes/runs.js';
import { statsRoutes } from './routes/stats.js';
import { registerStaticUi, STATIC_UI_ROUTES } from './staticUi.js';
import { registerRequestLog } from './requestLog.js';
import { registerTelemetryHooks } from './telemetryHooks.js';
import { healthRoutes } from './routes/health.js';
import { requireJsonBody } from './requireJsonBody.js';
import { trackRouteMethods } from './routeMethods.js';
import { authRoutes } from './routes/authRoutes.js';
import { oidcRoutes } from './routes/oidcRoutes.js';
import { adminRoutes } from './routes/admin.js';
import { projectRoutes } from './routes/projects.js';
import { fileRoutes } from './routes/files.js';
import { transferRoutes } from './routes/transfer.js';
import { apiKeyRoutes } from './routes/apiKeys.js';
import { openAiRoutes } from './routes/openaiCompat.js';
import { openAiNotFound } from './openai/openAiErrors.js';
import { registerApiDocs } from './apiDocs.js';
import { serverVersion } from '../cli.js';
import { attachmentRoutes } from './routes/attachments.js';

export async function buildApp(ctx: AppContext): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.logger as FastifyBaseLogger,
    bodyLimit: 16 * 1024 * 1024,
    logController: new LogController({ disableRequestLogging: true }),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  registerRequestLog(app, registerTelemetryHooks(app, ctx.telemetry));
  requireJsonBody(app);
  acceptEmptyJsonBodies(app);
  logIgnoredBodyFields(app);
  // `/` alone is a known path only when the UI is served; the catch-all would make every path known.
  const routes = trackRouteMethods(app, STATIC_UI_ROUTES.slice(1));
  app.decorate('registeredRoutes', routes.list);
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const allowed = routes.allowedMethods(path);
    if (path === '/v1' || path.startsWith('/v1/')) return openAiNotFound(reply, request.method, path, allowed);
    if (allowed.length === 0) return sendError(reply, 404, `No route ${request.method} ${path}.`);
    reply.header('allow', allowed.join(', '));
    return sendError(reply, 405, `${request.method} is not allowed on ${path}; use ${allowed.join(', ')}.`);
  });

  await registerApiDocs(app, serverVersion());

  const api = app.withTypeProvider<ZodTypeProvider>();
  await api.register(
    async (scope) => {
      registerAuth(scope, ctx);
      await scope.register(metaRoutes(ctx));
      await scope.register(conversationRoutes(ctx));
      await scope.register(searchRoutes(ctx));
      await scope.register(messageRoutes(ctx));
      await scope.register(runRoutes(ctx));
      await scope.register(statsRoutes(ctx));
      await scope.register(authRoutes(ctx));
      await scope.register(oidcRoutes(ctx));
      await scope.register(adminRoutes(ctx));
      await scope.register(projectRoutes(ctx));
      await scope.register(fileRoutes(ctx));
      await scope.register(transferRoutes(ctx));
      await scope.register(apiKeyRoutes(ctx));
      await scope.register(attachmentRoutes(ctx));
    },
    { prefix: '/api' },
  );
  // Operational endpoints at the root, outside the API's auth: /healthz, /readyz, /metrics (its own token).
  await api.register(healthRoutes(ctx));
  await api.register(openAiRoutes(ctx, routes.allowedMethods), { prefix: '/v1' });
  registerStaticUi(app);
  return app;
}
