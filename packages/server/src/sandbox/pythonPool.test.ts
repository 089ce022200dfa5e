import { createServer as createHttpServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPythonPool, type PythonPool, type PythonRunResult } from './pythonPool.js';
import { LEVEL_MODULES, LEVEL_TIMEOUT_MS } from './levels.js';

/**
 * One pool for the whole file (workers take ~2 s to load). Two workers stay warm so a run can go on
 * while another is being stopped; timeouts are shortened to keep the file fast.
 */
let pool: PythonPool;
const TIMEOUT_MS = 2_500;

beforeAll(async () => {
  pool = createPythonPool({
    poolSize: 2,
    maxWorkers: 3,
    memoryMb: 192,
    outputMaxChars: 2_000,
    timeoutsMs: { strict: TIMEOUT_MS, standard: TIMEOUT_MS, lenient: TIMEOUT_MS },
  });
  await pool.warm();
}, 60_000);

afterAll(async () => {
  await pool?.close();
});

const run = (code: string, level: 'strict' | 'standard' | 'lenient' = 'standard') => pool.run(code, { level });

/**
 * Runs without the Python policy layer (no allowlist, no dunder or builtin checks, blocked modules un-blocked),
 * to prove that the worker's JS-side boundary holds even if the policy layer is walked around.
 */
const UNBLOCK = 'import sys\nfor _k in [k for k, v in list(sys.modules.items()) if v is None]: del sys.modules[_k]\n';
const runRaw = (code: string) => pool.run(UNBLOCK + code, { level: 'lenient', unsafeSkipPolicy: true });

function lastLine(result: PythonRunResult): string {
  return (result.error ?? '').trim().split('\n').at(-1) ?? '';
}

describe('running code', () => {
  it('returns stdout, the repr of the last expression and the execution time', async () => {
    const result = await run('print(sum(range(10)))\n{"a": [1, 2]}');
    expect(result).toMatchObject({ success: true, stdout: '45\n', stderr: '', result: "{'a': [1, 2]}" });
    expect(result.execution_time).toBeGreaterThanOrEqual(0);
    expect((await run('x = 3')).result).toBeNull();
    expect((await run('None')).result).toBeNull();
  });

  it('captures stderr apart from stdout', async () => {
    const result = await runRaw('import sys\nprint("out")\nprint("oops", file=sys.stderr)');
    expect(result).toMatchObject({ success: true, stdout: 'out\n', stderr: 'oops\n' });
  });

  it('reports an exception with the last lines of the traceback, and the output printed before it', async () => {
    const result = await run('print("before")\ndef f(n):\n    return 10 / n\nf(0)');
    expect(result.success).toBe(false);
    expect(result.failure).toBe('exception');
    expect(result.error_type).toBe('ZeroDivisionError');
    expect(result.error).toContain('Traceback (most recent call last)');
    expect(result.error).toContain('return 10 / n');
    expect(lastLine(result)).toBe('ZeroDivisionError: division by zero');
    expect(result.stdout).toBe('before\n');
  });

  it('reports a syntax error', async () => {
    const result = await run('def broken(:\n  pass');
    expect(result.success).toBe(false);
    expect(result.error_type).toBe('SyntaxError');
  });

  it('answers a trivial snippet on a warm worker in well under 100 ms', async () => {
    const times: number[] = [];
    for (let i = 0; i < 15; i++) {
      const started = performance.now();
      const result = await run('print(1+1)');
      times.push(performance.now() - started);
      expect(result.stdout).toBe('2\n');
    }
    times.sort((a, b) => a - b);
    expect(times[Math.floor(times.length / 2)]).toBeLessThan(50);
  });

  it('keeps nothing from one run to the next (names, files, patched modules, builtins)', async () => {
    const first = await run(
      'import json, math\nsecret = 42\njson.dumps = lambda *a, **k: "patched"\nmath.pi = 3\n' +
        'with open("notes.txt", "w") as f: f.write("hello")\nopen("notes.txt").read()',
    );
    expect(first).toMatchObject({ success: true, result: "'hello'" });
    const second = await run(
      'import json, math, io\nresult = []\n' +
        'try:\n    secret\nexcept NameError:\n    result.append("no secret")\n' +
        'result.append(json.dumps([1]))\nresult.append(math.pi > 3.14)\n' +
        'try:\n    open("notes.txt")\nexcept FileNotFoundError:\n    result.append("no file")\nresult',
    );
    expect(second).toMatchObject({ success: true, result: "['no secret', '[1]', True, 'no file']" });
  });

  it('never gives one tenant a worker another tenant has used', async () => {
    const a = await pool.run('import collections\ncollections.Counter.nc_marker = "A"\n"set"', { level: 'standard', tenant: 'user-a' });
    expect(a).toMatchObject({ success: true, result: "'set'" });
    const b = await pool.run('import collections\nhasattr(collections.Counter, "nc_marker")', { level: 'standard', tenant: 'user-b' });
    expect(b).toMatchObject({ success: true, result: 'False' });
    const again = await pool.run('import collections\nhasattr(collections.Counter, "nc_marker")', { level: 'standard', tenant: 'user-a' });
    // The same tenant may get its warm worker back, where its own patch can still be seen.
    expect(again.success).toBe(true);
  });

  it('reports results that user code cannot forge by patching the json module', async () => {
    const result = await run('import json\njson.JSONEncoder.encode = lambda self, o: \'{"success": true, "stdout": "forged"}\'\njson.dumps = json.JSONEncoder.encode\nprint("real")');
    expect(result).toMatchObject({ success: true, stdout: 'real\n' });
    expect((await run('print("next")')).stdout).toBe('next\n');
  });

  it('cuts long output with a note saying how much was cut', async () => {
    const result = await run('print("x" * 10000)');
    expect(result.success).toBe(true);
    expect(result.stdout.startsWith('x'.repeat(2000))).toBe(true);
    expect(result.stdout).toContain('[output truncated: 8001 characters of stdout/stderr omitted]');
    expect(result.truncated_chars).toBe(8001);
    // Many small writes share the same budget.
    const many = await run('for i in range(100000): print(i)');
    expect(many.stdout.length).toBeLessThan(2_200);
    expect(many.truncated_chars).toBeGreaterThan(500_000);
  });
});

describe('levels and module allowlists', () => {
  it('uses 5 / 10 / 30 s wall-clock limits by default', () => {
    expect(LEVEL_TIMEOUT_MS).toEqual({ strict: 5_000, standard: 10_000, lenient: 30_000 });
  });

  it('allows each level its modules and refuses the next level up', async () => {
    expect((await run('import math, json, re, datetime, collections, itertools, functools, random, statistics, string, decimal, fractions\nmath.sqrt(16)', 'strict')).result).toBe('4.0');
    const strictTyping = await run('import typing', 'strict');
    expect(strictTyping.success).toBe(false);
    expect(lastLine(strictTyping)).toMatch(/ImportError: Module "typing" is not available at this sandbox level/);
    expect((await run('import typing, dataclasses, enum, textwrap, heapq, bisect, copy, pprint, operator, hashlib, base64, uuid, csv, io\nhashlib.sha256(b"a").hexdigest()[:8]', 'standard')).result).toBe("'ca978112'");
    expect((await run('import zlib', 'standard')).success).toBe(false);
    expect((await run('import zlib\nlen(zlib.compress(b"aaaa" * 100))', 'lenient')).success).toBe(true);
    for (const level of ['strict', 'standard', 'lenient'] as const) {
      for (const name of LEVEL_MODULES[level]) expect(LEVEL_MODULES.lenient).toContain(name);
    }
  });

  it('refuses system, process, network and bridge modules at every level', async () => {
    const forbidden = ['os', 'sys', 'subprocess', 'socket', 'ctypes', 'js', 'pyodide', 'pyodide.ffi', 'pyodide.code', 'pyodide_js', '_pyodide', 'importlib', 'builtins', 'shutil', 'pathlib', 'urllib.request', 'http.client', 'multiprocessing', 'gc', 'inspect', 'types'];
    for (const level of ['strict', 'standard', 'lenient'] as const) {
      for (const name of forbidden) {
        const result = await run(`import ${name}`, level);
        expect(result.success, `${name} at ${level}`).toBe(false);
        expect(result.error_type).toBe('ImportError');
      }
    }
    expect((await run('from os import system')).success).toBe(false);
    expect((await run('__import__("os")')).success).toBe(false);
  });

  it('offers io without its file openers (in-memory streams only)', async () => {
    expect((await run('import io\nb = io.StringIO()\nb.write("hi")\nb.getvalue()')).result).toBe("'hi'");
    const opener = await run('import io\nio.open("/etc/passwd")');
    expect(opener.success).toBe(false);
    expect(lastLine(opener)).toMatch(/AttributeError/);
  });

  it('refuses exec/eval/compile and walking to interpreter internals', async () => {
    for (const code of [
      'exec("import os")',
      'eval("1")',
      'compile("1", "x", "eval")',
      '().__class__.__base__.__subclasses__()',
      'getattr((), "__class__")',
      '(lambda: 0).__globals__',
      'type.__subclasses__(object)',
      'import json\njson.__loader__',
      'vars(object)',
      'breakpoint()',
    ]) {
      const result = await run(code);
      expect(result.success, code).toBe(false);
    }
  });
});

describe('no way out: files', () => {
  let hostDir: string;
  beforeAll(() => {
    hostDir = mkdtempSync(join(tmpdir(), 'nc-sandbox-host-'));
    writeFileSync(join(hostDir, 'host-secret-marker.txt'), 'HOST SECRET');
  });
  afterAll(() => rmSync(hostDir, { recursive: true, force: true }));

  it('refuses open() outside the scratch directory', async () => {
    for (const path of ['/etc/passwd', '/proc/self/environ', join(hostDir, 'host-secret-marker.txt'), '../etc/passwd', process.cwd() + '/package.json']) {
      const result = await run(`open(${JSON.stringify(path)}).read()`);
      expect(result.success, path).toBe(false);
      expect(lastLine(result)).toMatch(/PermissionError|FileNotFoundError/);
    }
    expect((await run('open("/etc/passwd")', 'strict')).success).toBe(false);
  });

  it('sees only an in-memory file system, even without the policy layer', async () => {
    const marker = basename(hostDir);
    const listing = await runRaw(
      'import os\nnames = []\nfor root, dirs, files in os.walk("/"):\n    names.extend(dirs)\n    names.extend(files)\n' +
        `(sorted(os.listdir("/")), ${JSON.stringify(marker)} in names, "host-secret-marker.txt" in names, "package.json" in names, len(names) > 10)`,
    );
    expect(listing.success).toBe(true);
    expect(listing.result).toBe("(['dev', 'home', 'lib', 'proc', 'scratch', 'tmp'], False, False, False, True)");
    for (const path of ['/etc/passwd', join(hostDir, 'host-secret-marker.txt'), join(process.cwd(), 'package.json')]) {
      const result = await runRaw(`open(${JSON.stringify(path)}).read()`);
      expect(result.success, path).toBe(false);
      expect(lastLine(result)).toMatch(/FileNotFoundError/);
    }
    const environ = await runRaw('import os\nopen("/proc/self/environ").read()');
    expect(environ.success && environ.result?.includes('PATH=')).toBeFalsy();
  });

  it('writes to the in-memory file system only, never to the host', async () => {
    const target = join(hostDir, 'written-by-python.txt');
    const result = await runRaw(`import os\nos.makedirs(${JSON.stringify(hostDir)}, exist_ok=True)\nwith open(${JSON.stringify(target)}, "w") as f: f.write("x")\nos.path.exists(${JSON.stringify(target)})`);
    expect(result.result).toBe('True');
    expect(existsSync(target)).toBe(false);
    // What a run leaves in the in-memory file system is gone for the next one.
    await runRaw('open("/tmp/left-over.txt", "w").write("x")');
    expect((await runRaw('import os\n(os.path.exists("/tmp/left-over.txt"), os.listdir("/scratch"))')).result).toBe('(False, [])');
  });

  it('cannot mount the host file system through Pyodide', async () => {
    const result = await runRaw('import pyodide_js\n[hasattr(pyodide_js, n) for n in ("FS", "mountNodeFS", "_module", "_api", "loadPackage", "runPython")]');
    expect(result).toMatchObject({ success: true, result: '[False, False, False, False, False, False]' });
    const mount = await runRaw('import pyodide_js\npyodide_js.FS.mount(pyodide_js.FS.filesystems.NODEFS, {"root": "/"}, "/host")');
    expect(mount.success).toBe(false);
    expect(lastLine(mount)).toMatch(/AttributeError/);
  });
});

describe('no way out: network', () => {
  let server: Server;
  let port: number;
  let connections = 0;
  beforeAll(async () => {
    server = createHttpServer((_req, res) => res.end('reached'));
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('is refused by the policy layer', async () => {
    for (const code of ['import socket', 'import urllib.request', 'from js import fetch', 'import pyodide.http', 'import http.client']) {
      expect((await run(code, 'lenient')).success, code).toBe(false);
    }
  });

  it('cannot reach a listening local server, even without the policy layer', async () => {
    const url = `http://127.0.0.1:${port}/`;
    const attempts = [
      `import socket\ns = socket.socket()\ns.settimeout(1)\ns.connect(("127.0.0.1", ${port}))\ns.send(b"GET / HTTP/1.0\\r\\n\\r\\n")\ns.recv(100)`,
      `import urllib.request\nurllib.request.urlopen(${JSON.stringify(url)}, timeout=1).read()`,
      `import http.client\nc = http.client.HTTPConnection("127.0.0.1", ${port}, timeout=1)\nc.request("GET", "/")\nc.getresponse().read()`,
      `import js\njs.fetch(${JSON.stringify(url)})`,
      `import js\njs.XMLHttpRequest.new()`,
      `from pyodide.http import open_url\nopen_url(${JSON.stringify(url)}).read()`,
      `from pyodide.http import pyfetch\nc = pyfetch(${JSON.stringify(url)})\nc.send(None)`,
      `import pyodide_js\npyodide_js.constructor.constructor("return fetch")()(${JSON.stringify(url)})`,
    ];
    for (const code of attempts) {
      const result = await runRaw(code);
      expect(result.success, code).toBe(false);
      expect(result.result).toBeNull();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(connections).toBe(0);
  });
});

describe('no way out: the JS bridge and Node', () => {
  it('is refused by the policy layer', async () => {
    for (const code of ['import js', 'import pyodide_js', 'from pyodide.ffi import to_js', 'from pyodide.code import run_js', 'import _pyodide_core']) {
      const result = await run(code, 'lenient');
      expect(result.success, code).toBe(false);
      expect(result.error_type).toBe('ImportError');
    }
  });

  it('starts workers only after their own check: no Node globals, no code generation, empty Pyodide API and js module', () => {
    expect(pool.selfCheck()).toEqual({ globals_left: [], codegen: [], pyodide_api_keys: [], jsglobals_keys: [] });
  });

  it('finds no Node globals in the js module', async () => {
    const result = await runRaw(
      'import js\nout = []\nfor name in ("process", "require", "globalThis", "global", "fetch", "eval", "Function", "Object", "WebAssembly", "Buffer", "setTimeout", "constructor"):\n' +
        '    out.append(hasattr(js, name))\nout',
    );
    expect(result.result).toBe(`[${Array(12).fill('False').join(', ')}]`);
  });

  it('cannot generate JS code from strings (the route to process, require and import())', async () => {
    const attempts = [
      'import pyodide_js\npyodide_js.constructor.constructor("return process")()',
      'import pyodide_js\nF = pyodide_js.constructor.getPrototypeOf(pyodide_js.constructor)\nF.constructor("return globalThis")()',
      'import pyodide_js\npyodide_js.constructor.constructor("return import(\'node:child_process\')")()',
      'from pyodide.code import run_js\nrun_js("process.pid")',
      'from pyodide.code import run_js\nrun_js("globalThis.require")',
    ];
    for (const code of attempts) {
      const result = await runRaw(code);
      expect(result.success, code).toBe(false);
      expect(lastLine(result)).toMatch(/EvalError: code generation is disabled|ImportError|AttributeError/);
    }
  });

  it('gives an empty Pyodide API object (no FS, loadPackage, internals)', async () => {
    const result = await runRaw('import pyodide_js\nlist(pyodide_js.constructor.keys(pyodide_js)) + list(pyodide_js.constructor.getOwnPropertyNames(pyodide_js))');
    expect(result).toMatchObject({ success: true, result: '[]' });
  });

  it('cannot spawn processes', async () => {
    for (const code of ['import os\nos.system("id")', 'import os\nos.popen("id").read()', 'import os\nos.fork()', 'import os\nos.execv("/bin/sh", ["sh"])', 'import os\nos.posix_spawn("/bin/sh", ["sh"], {})', 'import subprocess\nsubprocess.run(["id"])']) {
      const result = await runRaw(code);
      expect(result.success, code).toBe(false);
      expect(lastLine(result)).toMatch(/PermissionError|OSError|ImportError|AttributeError: module 'os' has no attribute/);
    }
  });
});

describe('limits', () => {
  it('stops an infinite loop at the wall-clock limit while another run completes, then replaces the worker', async () => {
    const startedBefore = pool.stats().started;
    const loop = run('while True:\n    pass');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const other = await run('sum(range(10))');
    expect(other).toMatchObject({ success: true, result: '45' });
    const stopped = await loop;
    expect(stopped).toMatchObject({ success: false, failure: 'timeout', error_type: 'TimeoutError' });
    expect(stopped.error).toMatch(/timed out after 2\.5 s/);
    expect(stopped.execution_time).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect((await run('1 + 1')).result).toBe('2');
    expect(pool.stats().started).toBeGreaterThan(startedBefore);
  });

  it('stops memory bombs with a clear error while another run completes', async () => {
    const huge = await run('"x" * 10**10');
    expect(huge.success).toBe(false);
    expect(huge.error_type).toMatch(/MemoryError|OverflowError/);
    const bomb = run('data = []\nwhile True:\n    data.append(bytearray(10**7))');
    const other = await run('sum(range(10))');
    expect(other).toMatchObject({ success: true, result: '45' });
    const stopped = await bomb;
    expect(stopped).toMatchObject({ success: false, failure: 'memory', error_type: 'MemoryError' });
    const strings = await run('data = []\nwhile True:\n    data.append("y" * 10**6)');
    expect(strings).toMatchObject({ success: false, failure: 'memory' });
    expect((await run('1 + 1')).result).toBe('2');
  });

  it('survives a worker whose JS heap blows up (without the policy layer)', async () => {
    // Each push copies a 1 MB Python string into a JS array: the worker's JS heap limit (resourceLimits) ends it.
    const bomb = await runRaw('import pyodide_js\nO = pyodide_js.constructor\na = O.keys(pyodide_js)\ns = "x" * 10**6\nfor i in range(2000):\n    a.push(s + str(i))');
    expect(bomb).toMatchObject({ success: false, failure: 'memory', error_type: 'MemoryError' });
    expect(bomb.error).toMatch(/memory limit/);
    expect((await run('2 + 2')).result).toBe('4');
  });

  it('stops a run when its signal aborts', async () => {
    const controller = new AbortController();
    const pending = pool.run('while True: pass', { level: 'standard', signal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    const result = await pending;
    expect(result).toMatchObject({ success: false, failure: 'stopped' });
    expect(result.execution_time).toBeLessThan(TIMEOUT_MS);
  });
});

describe('pool life cycle', () => {
  it('puts the interpreter back after a run that undid the module blocks (one worker, so the same one runs both)', async () => {
    const single = createPythonPool({ poolSize: 1, maxWorkers: 1, memoryMb: 128, outputMaxChars: 1000 });
    try {
      const undo = await single.run(UNBLOCK + 'import js, sys\nsys.path.append("/scratch")\n"undone"', { level: 'lenient', unsafeSkipPolicy: true });
      expect(undo.result).toBe("'undone'");
      const after = await single.run('import sys\n(sys.modules.get("js", 1), sys.modules.get("socket", 1), "/scratch" in sys.path)', { level: 'lenient', unsafeSkipPolicy: true });
      expect(after.result).toBe('(None, None, False)');
      expect(single.stats()).toMatchObject({ started: 1 });
    } finally {
      await single.close();
    }
  }, 60_000);

  it('starts no worker until it is used, and refuses runs once closed', async () => {
    const lazy = createPythonPool({ poolSize: 1, maxWorkers: 1, memoryMb: 128, outputMaxChars: 100 });
    expect(lazy.stats()).toEqual({ idle: 0, busy: 0, starting: 0, started: 0, replaced: 0 });
    await lazy.close();
    await expect(lazy.run('1', { level: 'strict' })).rejects.toThrow(/closed/);
  });
});
