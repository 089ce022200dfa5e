/** One sentence for a listen error a person can fix (port taken, not allowed), else null. */
export function listenProblem(err: unknown, host: string, port: number): string | null {
  const code = typeof err === 'object' && err !== null && 'code' in err ? (err as { code: unknown }).code : undefined;
  const change = `Choose another with PORT=${port === 3000 ? 3001 : 3000} (or port: in config.yml).`;
  if (code === 'EADDRINUSE') return `Port ${port} on ${host} is already in use by another program. ${change}`;
  if (code === 'EACCES') return `Not allowed to listen on port ${port} on ${host} (ports below 1024 need extra rights). ${change}`;
  if (code === 'EADDRNOTAVAIL') return `Cannot listen on ${host}: this machine has no such address. Set host: (or HOST=) to one of its addresses, e.g. 127.0.0.1.`;
  return null;
}
