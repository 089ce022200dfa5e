import { setFlagsFromString } from 'node:v8';

const startedAt = performance.now();

// Start-up allocates a lot once (module code, schemas, the first queries); V8 answers by growing the
// young generation to its maximum (≈32 MB) and then keeps it, idle. Holding it at its initial size while the
// app loads, and letting it grow again once the server listens, keeps an idle server ≈25 MB smaller
// without limiting it under load (see `npm run bench`).
const V8_DEFAULT_GROWTH_FACTOR = 2;
setFlagsFromString('--semi-space-growth-factor=1');

const { parseCli } = await import('./cli.js');
const action = parseCli(process.argv.slice(2));
if (action.kind === 'print') {
  (action.exitCode === 0 ? process.stdout : process.stderr).write(`${action.text}\n`);
  process.exit(action.exitCode);
}

try {
  const { serve } = await import('./serve.js');
  await serve(startedAt);
  setFlagsFromString(`--semi-space-growth-factor=${V8_DEFAULT_GROWTH_FACTOR}`);
} catch (err: unknown) {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
}
