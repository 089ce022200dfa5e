/**
 * Python run once in each sandbox worker after Pyodide has loaded, before any user code. It defines
 * `_nc_run(code, level, policy)`, which runs one snippet in a fresh namespace and answers a JSON string.
 *
 * This is the *policy* layer: module allowlists per level, no exec/eval/compile, no dunder walking,
 * `open` confined to the scratch directory. It keeps honest code within its level and gives clear errors.
 * It is not the security boundary (Python-level sandboxes can be walked around); the boundary is the
 * worker's JS side (no code generation, no Node globals, an empty `js` module, MEMFS only), see pythonWorker.ts.
 */
export const PYTHON_DRIVER = String.raw`
import sys, builtins, ast, io, os, json, traceback, shutil, types, time, linecache

_SCRATCH = '/scratch'
_LEVELS = json.loads(_NC_LEVELS_JSON)
_OUTPUT_MAX = int(_NC_OUTPUT_MAX)
_STDLIB_PREFIX = os.path.dirname(os.__file__)

# --- neutralise process, network and bridge modules for everyone (stdlib internals included) ---
def _refuse(name):
    def refused(*args, **kwargs):
        raise PermissionError(name + ' is not available in the sandbox')
    return refused

for _name in ('system', 'popen', 'fork', 'forkpty', 'kill', 'killpg', 'execv', 'execve', 'execl', 'execle', 'execlp',
              'execlpe', 'execvp', 'execvpe', 'spawnl', 'spawnle', 'spawnlp', 'spawnlpe', 'spawnv', 'spawnve', 'spawnvp',
              'spawnvpe', 'posix_spawn', 'posix_spawnp', 'startfile', 'putenv', 'unsetenv', 'chroot', 'mount'):
    if hasattr(os, _name):
        setattr(os, _name, _refuse('os.' + _name))

_BLOCKED_MODULES = ('subprocess', '_posixsubprocess', 'socket', '_socket', 'ssl', '_ssl', 'ctypes', '_ctypes', 'js', 'pyodide_js',
                    'pyodide', 'pyodide.ffi', 'pyodide.code', 'pyodide.http', 'pyodide.webloop', 'pyodide.console',
                    '_pyodide', '_pyodide._base', '_pyodide._importhook', '_pyodide.jsbind', '_pyodide_core', 'micropip',
                    'multiprocessing', 'urllib.request', 'http.client', 'asyncio.subprocess', 'webbrowser', 'select', 'selectors')
for _name in _BLOCKED_MODULES:
    sys.modules[_name] = None

os.makedirs(_SCRATCH, exist_ok=True)
os.chdir(_SCRATCH)

# --- policy: what user code sees ---
_BLOCKED_ATTRIBUTES = frozenset((
    '__class__', '__bases__', '__base__', '__mro__', '__subclasses__', '__globals__', '__builtins__', '__code__', '__closure__',
    '__dict__', '__getattribute__', '__getattr__', '__setattr__', '__delattr__', '__import__', '__loader__', '__spec__',
    '__self__', '__func__', '__reduce__', '__reduce_ex__', '__init_subclass__', '__subclasshook__', '__traceback__',
    '__frame__', '__objclass__', '__wrapped__', '__defaults__', '__kwdefaults__', '__annotations__', '__module__',
    'f_globals', 'f_locals', 'f_builtins', 'f_back', 'f_code', 'gi_frame', 'gi_code', 'cr_frame', 'cr_code', 'ag_frame',
    'ag_code', 'tb_frame', 'tb_next', 'co_code', 'mro',
))
_BLOCKED_NAMES = frozenset(('exec', 'eval', 'compile', '__import__', 'breakpoint', 'vars', 'input', 'help', 'exit', 'quit',
                            '__builtins__', '__loader__', '__spec__', 'globals', 'locals', 'memoryview', 'copyright', 'credits', 'license'))

class SandboxPolicyError(Exception):
    pass

def _check_tree(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in _BLOCKED_ATTRIBUTES:
            raise SandboxPolicyError('Access to attribute "' + node.attr + '" is not allowed in the sandbox (line ' + str(node.lineno) + ')')
        if isinstance(node, ast.Name) and node.id in _BLOCKED_NAMES:
            raise SandboxPolicyError('"' + node.id + '" is not available in the sandbox (line ' + str(node.lineno) + ')')
        if isinstance(node, (ast.Import, ast.ImportFrom)) and isinstance(node, ast.ImportFrom) and node.level:
            raise SandboxPolicyError('Relative imports are not available in the sandbox')

def _safe_name(name):
    if isinstance(name, str) and name in _BLOCKED_ATTRIBUTES:
        raise SandboxPolicyError('Access to attribute "' + name + '" is not allowed in the sandbox')
    return name

_real_getattr, _real_setattr, _real_delattr, _real_hasattr = getattr, setattr, delattr, hasattr
def _getattr(obj, name, *default):
    return _real_getattr(obj, _safe_name(name), *default)
def _setattr(obj, name, value):
    return _real_setattr(obj, _safe_name(name), value)
def _delattr(obj, name):
    return _real_delattr(obj, _safe_name(name))
def _hasattr(obj, name):
    return _real_hasattr(obj, _safe_name(name))

def _in_memory_io():
    shim = types.ModuleType('io')
    for key, value in io.__dict__.items():
        if key not in ('open', 'open_code', 'FileIO', '__loader__', '__spec__', '__builtins__'):
            shim.__dict__[key] = value
    return shim

def _make_import(allowed):
    io_shim = _in_memory_io()
    def _import(name, globals=None, locals=None, fromlist=(), level=0):
        if level:
            raise ImportError('Relative imports are not available in the sandbox')
        top = name.partition('.')[0]
        if top not in allowed:
            raise ImportError('Module "' + name + '" is not available at this sandbox level (allowed: ' + ', '.join(sorted(allowed)) + ')', name=name)
        if name == 'io':
            return io_shim
        return builtins.__import__(name, globals, locals, fromlist, level)
    return _import

def _make_open():
    real_open = builtins.open
    def _open(file, mode='r', *args, **kwargs):
        if not isinstance(file, (str, bytes, os.PathLike)):
            raise PermissionError('open() takes a path inside ' + _SCRATCH + ' in the sandbox')
        path = os.path.realpath(os.path.join(_SCRATCH, os.fsdecode(file)))
        if path != _SCRATCH and not path.startswith(_SCRATCH + '/'):
            raise PermissionError('Only files inside the in-memory scratch directory ' + _SCRATCH + ' can be opened (not ' + os.fsdecode(file) + ')')
        return real_open(path, mode, *args, **kwargs)
    return _open

def _user_builtins(level):
    allowed = frozenset(_LEVELS[level])
    table = {k: v for k, v in builtins.__dict__.items() if k not in _BLOCKED_NAMES}
    table['__import__'] = _make_import(allowed)
    table['getattr'], table['setattr'], table['delattr'], table['hasattr'] = _getattr, _setattr, _delattr, _hasattr
    if level != 'strict':
        table['open'] = _make_open()
    else:
        table.pop('open', None)
    table['__build_class__'] = builtins.__build_class__
    table['__name__'] = 'builtins'
    return table

# --- output capture with one budget for stdout and stderr ---
class _Budget:
    def __init__(self, limit):
        self.limit = limit
        self.used = 0
        self.dropped = 0

class _Capture(io.TextIOBase):
    def __init__(self, budget):
        self.parts = []
        self.budget = budget
    def writable(self):
        return True
    def write(self, text):
        if not isinstance(text, str):
            raise TypeError('write() argument must be str, not ' + type(text).__name__)
        room = self.budget.limit - self.budget.used
        if room > 0:
            kept = text[:room]
            self.parts.append(kept)
            self.budget.used += len(kept)
            self.budget.dropped += len(text) - len(kept)
        else:
            self.budget.dropped += len(text)
        return len(text)
    def getvalue(self):
        return ''.join(self.parts)

# --- state restored after every run, so runs in one worker cannot see each other ---
_BASELINE_MODULES = dict(sys.modules)
# Every module loaded now is shared by all runs (allowed ones directly, others through attributes such as
# random._os): their globals are put back after each run. Classes inside them are not deep-copied; runs of
# different users never share a worker (see pythonPool.ts), so a patched class can only affect its own user.
_NOT_RESTORED = ('sys', 'builtins', '__main__')
_SAVED_DICTS = {name: dict(mod.__dict__) for name, mod in list(sys.modules.items())
                if mod is not None and name not in _NOT_RESTORED and not name.startswith(('_pyodide', 'pyodide'))}
_SAVED_BUILTINS = dict(builtins.__dict__)
_SAVED_SYS_LISTS = {name: list(getattr(sys, name)) for name in ('path', 'meta_path', 'path_hooks')}
_SAVED_RECURSION = sys.getrecursionlimit()

def _reset():
    sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
    for name in list(sys.modules):
        if name not in _BASELINE_MODULES:
            del sys.modules[name]
    for name, mod in _BASELINE_MODULES.items():
        if sys.modules.get(name, 0) is not mod:
            sys.modules[name] = mod
    for name, saved in _SAVED_DICTS.items():
        mod = sys.modules.get(name)
        if mod is not None:
            mod.__dict__.clear()
            mod.__dict__.update(saved)
    builtins.__dict__.clear()
    builtins.__dict__.update(_SAVED_BUILTINS)
    linecache.cache.pop('<sandbox>', None)
    sys.setrecursionlimit(_SAVED_RECURSION)
    for name, saved in _SAVED_SYS_LISTS.items():
        getattr(sys, name)[:] = saved
    for entry in os.listdir('/tmp'):
        path = os.path.join('/tmp', entry)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.remove(path)
    shutil.rmtree(_SCRATCH, ignore_errors=True)
    os.makedirs(_SCRATCH, exist_ok=True)
    os.chdir(_SCRATCH)

def _tail(exc, limit_lines=12):
    lines = []
    tb = exc.__traceback__
    frames = [f for f in traceback.extract_tb(tb) if f.filename == '<sandbox>']
    if frames:
        lines.append('Traceback (most recent call last):')
        for frame in frames[-5:]:
            lines.append('  File "<sandbox>", line ' + str(frame.lineno) + (', in ' + frame.name if frame.name != '<module>' else ''))
            if frame.line:
                lines.append('    ' + frame.line.strip())
    lines.extend(traceback.format_exception_only(type(exc), exc))
    return '\n'.join(l.rstrip('\n') for l in lines[-limit_lines:])

_perf_counter = time.perf_counter

def _nc_run(code, level, policy=True):
    started = _perf_counter()
    budget = _Budget(_OUTPUT_MAX)
    out, err = _Capture(budget), _Capture(budget)
    answer = {'success': True, 'result': None, 'error': None, 'error_type': None}
    try:
        namespace = {'__name__': '__main__', '__builtins__': _user_builtins(level) if policy else builtins.__dict__}
        sys.stdout, sys.stderr = out, err
        linecache.cache['<sandbox>'] = (len(code), None, code.splitlines(True), '<sandbox>')
        try:
            tree = ast.parse(code, '<sandbox>', 'exec')
            if policy:
                _check_tree(tree)
            last = None
            if tree.body and isinstance(tree.body[-1], ast.Expr):
                last = ast.Expression(tree.body.pop().value)
            exec(compile(tree, '<sandbox>', 'exec'), namespace)
            if last is not None:
                value = eval(compile(last, '<sandbox>', 'eval'), namespace)
                if value is not None:
                    text = repr(value)
                    answer['result'] = text if len(text) <= _OUTPUT_MAX else text[:_OUTPUT_MAX] + '... [repr truncated: ' + str(len(text) - _OUTPUT_MAX) + ' characters omitted]'
        except BaseException as exc:
            answer['success'] = False
            answer['error_type'] = type(exc).__name__
            answer['error'] = _tail(exc)
            if isinstance(exc, MemoryError):
                answer['recycle'] = True
    finally:
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
        try:
            _reset()
        except BaseException:
            answer['recycle'] = True
    elapsed = round((_perf_counter() - started) * 1000, 2)
    # Plain str/int/float/bool/None values, converted by Pyodide itself: nothing user code can patch.
    return (bool(answer['success']), str(out.getvalue()), str(err.getvalue()), answer['result'], answer['error'],
            answer['error_type'], int(budget.dropped), float(elapsed), bool(answer.get('recycle', False)))
`;
