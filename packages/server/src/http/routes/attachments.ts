import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../appContext.js';
import { AppError, notFound } from '../appError.js';
import { fileRefOf } from '../../attachments/attachmentService.js';
import { formatBytes } from '../../workspace/workspaceErrors.js';

const attachmentParamsSchema = z.object({ id: z.string().min(1).max(64) });
/** Room for the multipart framing and a name beside the file itself. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/** RFC 6266 / 5987: an ASCII fallback and the UTF-8 name. */
function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * `POST /attachments` (multipart, one file) stores an upload and answers `{id, name, mime, size, sha256, kind}`;
 * `GET /attachments/:id` serves it to its owner only (anyone else: 404).
 */
export function attachmentRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  const settings = ctx.config.attachments;
  const tooLarge = () => new AppError(413, `The file is larger than the ${formatBytes(settings.max_file_bytes)} allowed for one attachment (attachments.max_file_bytes).`);
  return async (app) => {
    await app.register(multipart, { limits: { fileSize: settings.max_file_bytes, files: 1, fields: 5, fieldSize: 1024, parts: 6 } });

    app.post('/attachments', async (request) => {
      const attachments = ctx.attachments;
      if (!attachments) throw new AppError(503, 'Attachments are not available on this server.');
      // Refused before reading anything when the client says up front that it is too large.
      if (Number(request.headers['content-length'] ?? 0) > settings.max_file_bytes + MULTIPART_OVERHEAD_BYTES) throw tooLarge();
      if (!request.isMultipart()) throw new AppError(415, 'Send the file as multipart/form-data, in a part named "file".');
      const part = await request.file();
      if (!part) throw new AppError(400, 'The upload holds no file: send it in a part named "file".');
      let bytes: Buffer;
      try {
        bytes = await part.toBuffer();
      } catch (err) {
        if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge();
        throw err;
      }
      if (part.file.truncated) throw tooLarge();
      const row = await attachments.store({ userId: request.user.id, name: part.filename || 'file', bytes });
      return { code: 0, data: fileRefOf(row) };
    });

    app.get('/attachments/:id', { schema: { params: attachmentParamsSchema } }, async (request, reply) => {
      const attachments = ctx.attachments;
      const row = attachments && (await attachments.getForUser(request.user.id, request.params.id));
      if (!row || !attachments) throw notFound('Attachment');
      const bytes = await attachments.read(row);
      if (!bytes) throw notFound('Attachment');
      const image = row.kind === 'image';
      return reply
        .header('Content-Type', image || !row.mime.startsWith('text/') ? row.mime : `${row.mime}; charset=utf-8`)
        .header('Content-Disposition', contentDisposition(image ? 'inline' : 'attachment', row.name))
        .header('X-Content-Type-Options', 'nosniff')
        .header('Content-Security-Policy', "default-src 'none'; sandbox")
        .header('Cache-Control', 'private, max-age=31536000, immutable')
        .send(bytes);
    });
  };
}
