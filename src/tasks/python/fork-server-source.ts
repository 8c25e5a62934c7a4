/**
 * Source of the Python fork server (run with `python -u -c SOURCE SOCKET`). Kept as a
 * string so it ships inside the compiled JavaScript: tsc does not copy .py files.
 *
 * Protocol, JSON lines. Requests on stdin: `{id, token, argv, cwd, env}`. Replies on
 * stdout: `{ready, pid, version}` once, then per request `{id, pid}` after the fork and
 * `{id, code, signal}` when the child has been reaped, or `{id, error: "cwd"}` when the
 * working directory does not exist. The child connects to SOCKET, sends
 * `TOKEN INODE\n` and makes the connection its stdout and stderr.
 *
 * Every task is a fork of an interpreter that has imported almost nothing, turned into
 * what `python -u SCRIPT ARGS...` would be: own session, cwd, environment, argv,
 * sys.path[0], a fresh `__main__`, and Python's own top level for exit codes,
 * tracebacks, atexit handlers, thread joins and death by SIGINT.
 */
export const FORK_SERVER_SOURCE = String.raw`
import os, sys, json, select, socket, signal, gc

_SERVER_FILE = sys._getframe().f_code.co_filename


class _Fork(BaseException):
    """Raised in a forked child to unwind the server loop up to the top level."""

    def __init__(self, req):
        BaseException.__init__(self)
        self.req = req


def _reply(msg):
    data = (json.dumps(msg) + "\n").encode()
    while data:
        data = data[os.write(1, data):]


def _exit_status(rid, status):
    if os.WIFSIGNALED(status):
        return {"id": rid, "code": None, "signal": os.WTERMSIG(status)}
    return {"id": rid, "code": os.WEXITSTATUS(status), "signal": None}


def _serve():
    poller = select.poll()
    poller.register(0, select.POLLIN)
    use_pidfd = hasattr(os, "pidfd_open")
    children = {}  # pidfd (or pid, without pidfd support) -> (request id, pid)
    buf = b""
    # Objects that exist now are never freed: keep them out of the children's
    # copy-on-write pages that the garbage collector would otherwise touch.
    gc.freeze()
    _reply({"ready": True, "pid": os.getpid(), "version": list(sys.version_info[:3])})
    while True:
        timeout = None if use_pidfd or not children else 5
        events = poller.poll(timeout)
        if not use_pidfd:
            for pid in list(children):
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    rid, _ = children.pop(pid)
                    _reply(_exit_status(rid, status))
        for fd, _ in events:
            if fd != 0:
                rid, pid = children.pop(fd)
                poller.unregister(fd)
                os.close(fd)
                _, status = os.waitpid(pid, 0)
                _reply(_exit_status(rid, status))
                continue
            data = os.read(0, 1 << 16)
            if not data:
                # Updraft is gone, and so are the tasks it started.
                for _, pid in children.values():
                    try:
                        os.killpg(pid, signal.SIGKILL)
                    except OSError:
                        pass
                os._exit(0)
            buf += data
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                req = json.loads(line)
                if not os.path.isdir(req["cwd"]):
                    _reply({"id": req["id"], "error": "cwd"})
                    continue
                pid = os.fork()
                if pid == 0:
                    if use_pidfd:
                        for child_fd in children:
                            os.close(child_fd)
                    raise _Fork(req)
                if use_pidfd:
                    pidfd = os.pidfd_open(pid)
                    children[pidfd] = (req["id"], pid)
                    poller.register(pidfd, select.POLLIN)
                else:
                    children[pid] = (req["id"], pid)
                _reply({"id": req["id"], "pid": pid})


def _connect(req):
    """Own session; stdout and stderr to Updraft's socket; stdin from /dev/null."""
    os.setsid()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(_SOCKET)
    fd = s.detach()
    os.write(fd, ("%s %d\n" % (req["token"], os.fstat(fd).st_ino)).encode())
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)


def _prepare(req):
    """Becomes python -u SCRIPT ARGS...; returns the new __main__ module and the code."""
    import types, builtins, importlib, importlib.machinery

    os.chdir(req["cwd"])
    os.environ.clear()
    for key, value in req["env"].items():
        try:
            os.environ[key] = value
        except ValueError:
            pass
    script = req["argv"][0]
    sys.argv = list(req["argv"])
    sys.orig_argv = [sys.executable, "-u"] + sys.argv
    if sys.path and sys.path[0] == "":
        sys.path[0] = os.path.dirname(os.path.realpath(script))
    importlib.invalidate_caches()
    main = types.ModuleType("__main__")
    main.__file__ = script
    main.__cached__ = None
    main.__builtins__ = builtins
    main.__loader__ = importlib.machinery.SourceFileLoader("__main__", script)
    sys.modules["__main__"] = main
    try:
        with open(script, "rb") as f:
            source = f.read()
    except OSError as e:
        sys.stderr.write("%s: can't open file %r: [Errno %d] %s\n"
                         % (sys.executable, script, e.errno, e.strerror))
        sys.exit(2)
    return main, compile(source, script, "exec", dont_inherit=True)


def _strip(tb):
    """Drops this server's leading frames from a traceback."""
    while tb is not None and tb.tb_frame.f_code.co_filename == _SERVER_FILE:
        tb = tb.tb_next
    return tb


_SOCKET = sys.argv[1]
_fork = None
try:
    _serve()
except _Fork as forked:
    _fork = forked

if _fork is not None:
    _req = _fork.req
    del _fork
    try:
        _connect(_req)
    except BaseException:
        # Not the task's fault: say so on the server's stderr and use a code of our own.
        import traceback
        traceback.print_exc()
        os._exit(111)
    _error = None
    try:
        _main, _code = _prepare(_req)
        del _req
        exec(_code, _main.__dict__)
    except SystemExit:
        raise
    except BaseException as e:
        e.__traceback__ = _strip(e.__traceback__)
        sys.excepthook(type(e), e, e.__traceback__)
        _error = e
    if _error is not None:
        # Let Python's own top level end the process as it would have (code 1, or death
        # by SIGINT for KeyboardInterrupt, after joining threads and running atexit);
        # the traceback, without this server's frames, is already printed.
        sys.excepthook = lambda *args: None
        raise _error
`;
