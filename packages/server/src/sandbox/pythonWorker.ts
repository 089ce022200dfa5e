/**
 * Source of the sandbox worker, run with `new Worker(source, { eval: true })` so it works the same from
 * the built server, from vitest (TypeScript sources) and from tsx, with no file to copy at build time.
 *
 * The worker is the security boundary. After Pyodide has loaded from the local npm package:
 *  - string code generation is gone: eval is deleted and every function's `.constructor` (Function and the
 *    async/generator variants, the route from any JS object Python holds) is a stub that throws, so Python
 *    cannot write JS (the global `Function` stays for Pyodide's own `instanceof` checks; Python cannot reach
 *    the global object: `js` is an empty object);
 *  - Node's capabilities are gone from the global object (process, require, module, fetch, WebSocket,
 *    MessageChannel, BroadcastChannel...); the worker keeps its own references in this closure;
 *  - Pyodide's public API object (what `pyodide_js` is in Python) is emptied: no FS/NODEFS mounts,
 *    no loadPackage, no `_module`/`_api` internals; the `js` module is an empty null-prototype object;
 *  - the WASM heap cannot grow past the memory limit (WebAssembly.Memory.prototype.grow is capped).
 * Python's file system is Emscripten's MEMFS: the host's files are not mounted anywhere.
 */
export const PYTHON_WORKER_SOURCE = String.raw`
'use strict';
const { parentPort: port, workerData } = require('node:worker_threads');
const { pathToFileURL } = require('node:url');
(async () => {
  const { indexURL, wasmMaxBytes, levelsJson, outputMaxChars, driver } = workerData;

  // Cap the WASM heap: Emscripten grows memory through wasmMemory.grow(), and fails a malloc (MemoryError) when it throws.
  const MemoryProto = WebAssembly.Memory.prototype;
  const realGrow = MemoryProto.grow;
  const byteLength = Object.getOwnPropertyDescriptor(MemoryProto, 'buffer').get;
  Object.defineProperty(MemoryProto, 'grow', {
    value: function grow(delta) {
      const current = Reflect.apply(byteLength, this, []).byteLength;
      if (current + Number(delta) * 65536 > wasmMaxBytes) throw new RangeError('sandbox memory limit reached');
      return Reflect.apply(realGrow, this, [delta]);
    },
    writable: false,
    configurable: false,
  });

  const jsglobals = Object.create(null);
  const { loadPyodide } = await import(pathToFileURL(indexURL + 'pyodide.mjs').href);
  const pyodide = await loadPyodide({
    indexURL,
    jsglobals,
    env: { HOME: '/home/pyodide' },
    stdout: () => {},
    stderr: () => {},
    checkAPIVersion: true,
  });
  pyodide.globals.set('_NC_LEVELS_JSON', levelsJson);
  pyodide.globals.set('_NC_OUTPUT_MAX', String(outputMaxChars));
  pyodide.runPython(driver);
  const run = pyodide.globals.get('_nc_run');
  // Warm the driver's code paths, and Emscripten's lazily bound helpers (random source, clocks), before the doors are shut.
  pyodide.runPython('import os, time, random\nos.urandom(8); time.time(); time.perf_counter()');
  run('1', 'strict', true).destroy();

  // Empty the public API object (Python reaches it as pyodide_js and through the ffi).
  for (const key of Reflect.ownKeys(pyodide)) {
    try { delete pyodide[key]; } catch {}
  }
  Object.freeze(pyodide);

  // No code generation from strings: remove every route to a Function constructor and to eval.
  const blocked = function () { throw new EvalError('code generation is disabled in the sandbox'); };
  Object.freeze(blocked);
  const constructors = [
    Function,
    Object.getPrototypeOf(async function () {}).constructor,
    Object.getPrototypeOf(function* () {}).constructor,
    Object.getPrototypeOf(async function* () {}).constructor,
  ];
  for (const F of constructors) {
    Object.defineProperty(F.prototype, 'constructor', { value: blocked, writable: false, configurable: false });
  }
  // Stack-trace hooks hand out receivers and functions of calling frames.
  Object.defineProperty(Error, 'prepareStackTrace', { value: undefined, writable: false, configurable: false });
  for (const name of ['captureStackTrace']) {
    try { Object.defineProperty(Error, name, { value: function () {}, writable: false, configurable: false }); } catch {}
  }

  const dangerous = [
    'eval', 'process', 'require', 'module', 'exports', '__filename', '__dirname', 'global', 'fetch', 'Request', 'Response',
    'Headers', 'FormData', 'XMLHttpRequest', 'WebSocket', 'EventSource', 'MessageChannel', 'MessagePort', 'BroadcastChannel',
    'Worker', 'SharedWorker', 'importScripts', 'navigator', 'Buffer', 'setImmediate', 'clearImmediate', 'Blob', 'File',
    'crypto', 'Crypto', 'CryptoKey', 'SubtleCrypto', 'WebAssembly', 'ShadowRealm',
  ];
  for (const name of dangerous) {
    try { delete globalThis[name]; } catch {}
    if (name in globalThis) {
      try { Object.defineProperty(globalThis, name, { value: undefined, writable: false, configurable: false }); } catch {}
    }
  }

  // Fail closed: a worker whose doors did not shut never reports ready.
  const check = { globals_left: dangerous.filter((name) => typeof globalThis[name] !== 'undefined'), codegen: [] };
  const probes = {
    'Function.prototype.constructor': () => (function () {}).constructor('return 1'),
    'AsyncFunction': () => (async function () {}).constructor('return 1'),
    'GeneratorFunction': () => (function* () {}).constructor('return 1'),
    'Object.constructor': () => ({}).constructor.constructor('return 1'),
    'indirect eval': () => (0, globalThis.eval)('1'),
  };
  for (const [name, probe] of Object.entries(probes)) {
    try { probe(); check.codegen.push(name); } catch {}
  }
  check.pyodide_api_keys = Reflect.ownKeys(pyodide).map(String);
  check.jsglobals_keys = Reflect.ownKeys(jsglobals).map(String);
  if (check.globals_left.length > 0 || check.codegen.length > 0 || check.pyodide_api_keys.length > 0 || check.jsglobals_keys.length > 0) {
    port.postMessage({ ready: false, message: 'sandbox hardening incomplete: ' + JSON.stringify(check) });
    return;
  }

  port.on('message', ({ id, job }) => {
    const { code, level, policy } = job;
    let answer;
    try {
      const proxy = run(code, level, policy !== false);
      const values = proxy.toJs();
      proxy.destroy();
      answer = {
        success: values[0], stdout: values[1], stderr: values[2], result: values[3] ?? null, error: values[4] ?? null,
        error_type: values[5] ?? null, truncated_chars: values[6], execution_time: values[7], recycle: values[8],
      };
    } catch (error) {
      const text = error && error.message ? String(error.message) : String(error);
      // Deep nesting in C code (json of a deeply nested list, repr of a deep structure) exhausts the JS stack.
      const stack = /Maximum call stack size exceeded/.test(text);
      answer = {
        success: false,
        error: stack ? 'RecursionError: the data or the calls were nested too deeply for the sandbox stack' : 'Sandbox failure: ' + text,
        error_type: stack ? 'RecursionError' : 'SandboxError',
        stdout: '', stderr: '', result: null, truncated_chars: 0, execution_time: 0, recycle: true,
      };
    }
    port.postMessage({ id, ok: true, result: answer, retire: answer.recycle === true });
  });
  port.postMessage({ ready: true, check });
})().catch((error) => {
  port.postMessage({ ready: false, message: error && error.stack ? error.stack : String(error) });
});
`;
