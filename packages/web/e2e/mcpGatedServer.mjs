// A real MCP server (the reference "everything" server over stdio) that starts only once a gate file
// exists, so a browser test can see its server "connecting" and then watch it come up.
// Usage: node mcpGatedServer.mjs <gate file> <path of server-everything's dist/transports/stdio.js>
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [gate, entry] = process.argv.slice(2);
if (!gate || !entry) {
  console.error('usage: mcpGatedServer.mjs <gate file> <stdio server entry>');
  process.exit(2);
}
while (!existsSync(gate)) await new Promise((resolve) => setTimeout(resolve, 100));
await import(pathToFileURL(entry).href);
