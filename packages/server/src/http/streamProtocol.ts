import type { FastifyRequest } from 'fastify';
import type { StreamProtocol } from '@nanoclaw/protocol';

/** `?protocol=v1` or `X-Stream-Protocol: v1` selects the original's full-snapshot events. */
export function streamProtocolOf(request: FastifyRequest): StreamProtocol {
  const query = request.query as Record<string, unknown> | undefined;
  const asked = (typeof query?.protocol === 'string' ? query.protocol : undefined) ?? request.headers['x-stream-protocol'];
  return asked === 'v1' ? 'v1' : 'default';
}
