import type { ServerResponse } from 'node:http';

/** Closes the socket mid-answer: what is already written is flushed, the rest never comes. */
export function dropConnection(response: ServerResponse): void {
  const socket = response.socket;
  if (!socket || socket.destroyed) return;
  socket.end(() => socket.destroy());
}
