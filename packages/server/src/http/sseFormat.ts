import { encodeRunEvent, runEventId, type StreamProtocol } from '@nanoclaw/protocol';
import { toRunEvent } from '../agent/runEventData.js';
import type { LoggedEvent } from '../agent/runSession.js';

/**
 * One whole SSE event of a run, in the client's protocol, as one string (see encodeRunEvent). The
 * default protocol's text is kept on the event: every client of that protocol gets the same bytes.
 */
export function formatEvent(runId: string, event: LoggedEvent, protocol: StreamProtocol): string {
  if (protocol === 'default' && event.wire) return event.wire;
  const text = encodeRunEvent(runEventId(runId, event.seq), toRunEvent(event, protocol));
  if (protocol === 'default') event.wire = text;
  return text;
}
