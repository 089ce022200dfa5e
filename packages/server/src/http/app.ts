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
import { requireJsonBody } from './requireJsonBody.js';
import { trackRouteMethods } from './routeMethods.js';
import { authRoutes } from './routes/authRoutes.js';
import { adminRoutes } from './routes/admin.js';
import { projectRoutes } from './routes/projects.js';
import { fileRoutes } from './routes/files.js';

export async function buildApp(ctx: AppContext): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.logger as FastifyBaseLogger,
    bodyLimit: 16 * 1024 * 1024,
    logController: new LogController({ disableRequestLogging: true }),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  registerRequestLog(app);
  requireJsonBody(app);
  acceptEmptyJsonBodies(app);
  logIgnoredBodyFields(app);
  // `/` alone is a known path only when the UI is served; the catch-all would make every path known.
  const routes = trackRouteMethods(app, STATIC_UI_ROUTES.slice(1));
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const allowed = routes.allowedMethods(path);
    if (allowed.length === 0) return sendError(reply, 404, `No route ${request.method} ${path}.`);
    reply.header('allow', allowed.join(', '));
    return sendError(reply, 405, `${request.method} is not allowed on ${path}; use ${allowed.join(', ')}.`);
  });

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
      await scope.register(adminRoutes(ctx));
      await scope.register(projectRoutes(ctx));
      await scope.register(fileRoutes(ctx));
    },
    { prefix: '/api' },
  );
  registerStaticUi(app);
  return app;
}
