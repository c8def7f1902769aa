"""Kernels forked from a process that has already imported what every notebook imports.

A notebook's kernel used to spend ~1.5 s of CPU before its first analysis: a Python
interpreter and ipykernel starting (~0.5 s), then ``helpers.notebook.session`` with pandas,
pandera and scipy (~1 s) - twelve times a run, on a machine where the run is CPU-bound. Each
runner worker now starts one *zygote*: a single-threaded Python process that imports
``PRELOAD`` once and then forks a kernel for each notebook of that worker. The fork is an
ordinary ipykernel (``ipykernel_launcher -f CONNECTION_FILE``) with the environment, working
directory and ``sys.path`` jupyter_client would have given it; imports are only sooner.

Safety:

- the zygote forks only while it has exactly one thread (``/proc/self/task``); otherwise,
  or when anything about the launch differs from a plain ``python -m ipykernel_launcher``
  of this interpreter, the kernel is started the usual way (:func:`launch`, None);
- nothing is executed in the zygote but imports and the reading of the run's trial data (CSV
  files, read and closed; :func:`preload_data`): the matplotlib backend is not chosen there
  (``MPLBACKEND`` is set as ipykernel sets it, before matplotlib is imported), no random
  state is drawn, no file is left open;
- the zygote dies with its worker, a kernel with its zygote (``PR_SET_PDEATHSIG``); the
  zygote reaps its kernels; the worker watches a kernel through a pidfd (Linux >= 5.3), so
  jupyter_client can poll, signal and kill it as if it were its child.

Not on Linux (no pidfd, no ``/proc``) kernels start the usual way.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import json
import os
import select
import signal
import subprocess
import sys

from helpers.run.process_death import die_with_parent

__all__ = ["PRELOAD", "ForkedKernel", "Zygote", "launch", "start_zygote"]

#: What the zygote imports before forking kernels: what (nearly) every notebook imports.
PRELOAD = ("ipykernel.kernelapp", "IPython.display", "helpers.notebook.session",
           "matplotlib.pyplot", "helpers.report.plots", "scipy.stats",
           # imported on first use by every notebook (~0.3 s CPU a kernel, measured with
           # benchmarks/notebook_phases.py): the publication tables (Great Tables, with babel
           # and faicons), pandera's checks (hypothesis), parquet writing (the ARD), the
           # figure files (matplotlib's SVG and Agg backends, PIL's image plug-ins)
           "great_tables", "helpers.report.publication_table", "helpers.report.tables",
           "helpers.report.text", "pandera.backends.pandas.register",
           "pandera.backends.pandas.builtin_checks", "pandera.backends.pandas.builtin_hypotheses",
           "pandera.accessors.pandas_accessor", "pyarrow.parquet", "pyarrow.pandas_compat",
           "matplotlib.backends.backend_svg", "matplotlib.backends.backend_agg",
           "PIL.PngImagePlugin", "PIL.BmpImagePlugin", "PIL.GifImagePlugin",
           "PIL.JpegImagePlugin", "PIL.PpmImagePlugin")
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"  # ipykernel's MPLBACKEND default
LAUNCHER = ["-m", "ipykernel_launcher"]

_zygote: Zygote | None = None  # this worker's zygote (start_zygote)


class ForkedKernel:
    """The ``subprocess.Popen`` face of a kernel forked by the zygote (not our child): what
    jupyter_client's LocalProvisioner uses (pid, poll, wait, send_signal, kill, terminate)."""

    stdin = stdout = stderr = None
    returncode: int | None = None

    def __init__(self, pid: int):
        self.pid = pid
        self._pidfd = os.pidfd_open(pid)

    def poll(self) -> int | None:
        if self.returncode is None and select.select([self._pidfd], [], [], 0)[0]:
            self.returncode = 0  # ended; its status went to the zygote, which reaps it
            os.close(self._pidfd)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            if not select.select([self._pidfd], [], [], timeout)[0]:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout)
            self.poll()
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            signal.pidfd_send_signal(self._pidfd, signum)  # this process, never a reused pid

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class Zygote:
    """The worker's side of a zygote process: ask it for a kernel."""

    def __init__(self, process: subprocess.Popen, request, reply, command: list[str]):
        self.process, self._request, self._reply = process, request, reply
        self.command = command  # what a kernel command starts with: python [options] -m launcher

    def fork(self, argv: list[str], env: dict, cwd: str) -> ForkedKernel | None:
        if self.process.poll() is not None:
            return None
        try:
            self._request.write(json.dumps({"argv": argv, "env": env, "cwd": cwd}) + "\n")
            self._request.flush()
            answer = json.loads(self._reply.readline() or "{}")
        except (OSError, ValueError):
            return None
        return ForkedKernel(answer["pid"]) if answer.get("pid") else None

    def ready(self) -> bool:
        """Wait until the zygote has imported ``PRELOAD`` (it answers once it has)."""
        try:
            self._request.write("{}\n")
            self._request.flush()
            return json.loads(self._reply.readline() or "{}").get("ready", False)
        except (OSError, ValueError):
            return False

    def stop(self) -> None:
        """End the zygote (it ends when its requests end) and reap it, so that its CPU time
        and its kernels' is accounted to the runner and no zombie is left."""
        try:
            self._request.close()
            self.process.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()


def start_zygote(cwd: str | os.PathLike, kernel_name: str,
                 data: dict | None = None) -> Zygote | None:
    """Start this worker's zygote for kernels of ``kernel_name`` (working directory ``cwd``):
    the interpreter and its options of the kernel spec's command. None where kernels cannot
    be forked (not Linux, no pidfd, a kernel spec that is not ``... -m ipykernel_launcher``).
    ``data``: the run's trial data (``data_dir``, ``data_format``, ``study``, ``comparison``)
    for the zygote to read once (:func:`preload_data`)."""
    global _zygote
    if not (sys.platform.startswith("linux") and hasattr(os, "pidfd_open")):
        return None
    from jupyter_client.kernelspec import KernelSpecManager

    argv = KernelSpecManager().get_kernel_spec(kernel_name).argv
    at = next((i for i in range(1, len(argv) - 1) if argv[i:i + 2] == LAUNCHER), None)
    if at is None:
        return None
    interpreter = argv[:at]  # e.g. [python, -Xfrozen_modules=off]
    request_read, request_write = os.pipe()
    reply_read, reply_write = os.pipe()
    env = {**os.environ, "MPLBACKEND": os.environ.get("MPLBACKEND") or INLINE_BACKEND,
           # pyarrow's jemalloc (imported by pandas) purges memory in a background thread;
           # without it the zygote stays single-threaded and can fork (it is fork-safe)
           "JE_ARROW_MALLOC_CONF": os.environ.get("JE_ARROW_MALLOC_CONF") or "background_thread:false"}
    code = (f"from helpers.run.zygote import serve; serve({request_read}, {reply_write}, "
            f"{os.getpid()}, {json.dumps(data)!r})")
    process = subprocess.Popen([*interpreter, "-c", code], cwd=cwd, env=env,
                               stdin=subprocess.DEVNULL, pass_fds=(request_read, reply_write))
    os.close(request_read)
    os.close(reply_write)
    _zygote = Zygote(process, os.fdopen(request_write, "w"), os.fdopen(reply_read),
                     [*interpreter, *LAUNCHER])
    atexit.register(_zygote.stop)
    return _zygote


def launch(kernel_cmd: list[str], env: dict | None, cwd: str | None) -> ForkedKernel | None:
    """A kernel for ``kernel_cmd`` forked by this worker's zygote, or None: no zygote, or a
    command other than the zygote's own ``python [options] -m ipykernel_launcher ...``."""
    if _zygote is None:
        return None
    env = dict(os.environ) if env is None else dict(env)  # what Popen gives a child: ours
    env["JPY_PARENT_PID"] = str(os.getpid())  # as jupyter_client's launch_kernel sets it
    cwd = os.getcwd() if cwd is None else cwd  # (papermill changes into the notebook's cwd)
    prefix = _zygote.command
    kernel = _zygote.fork(kernel_cmd[len(prefix):], env, str(cwd)) \
        if kernel_cmd[:len(prefix)] == prefix else None
    if kernel is None:  # said in the run's kernel log (the worker's stderr)
        print(f"helpers.run.zygote: kernel started as a new process, not forked: {kernel_cmd}",
              file=sys.stderr, flush=True)
    return kernel


# --------------------------------------------------------------------------- the zygote
def serve(request_fd: int, reply_fd: int, worker_pid: int, data: str = "null") -> None:
    """The zygote's program: import ``PRELOAD``, read the run's data (``data``: JSON, see
    :func:`start_zygote`), then fork a kernel for each request."""
    die_with_parent(worker_pid)
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - the notebook's own import will say what is wrong
            pass
    if json.loads(data):
        preload_data(json.loads(data))
    kernel_path = sys.path[1:]  # ipykernel_launcher drops the working directory
    gc.freeze()  # the preloaded objects: not traversed by the kernels' collections, not copied
    signal.signal(signal.SIGCHLD, _reap)
    zygote_pid = os.getpid()
    with os.fdopen(request_fd) as requests, os.fdopen(reply_fd, "w") as replies:
        for line in requests:
            request = json.loads(line)
            if not request:  # Zygote.ready
                replies.write('{"ready": true}\n')
                replies.flush()
                continue
            pid = -1
            if len(os.listdir("/proc/self/task")) == 1:
                started_read, started_write = os.pipe()
                pid = os.fork()
                if pid == 0:
                    os.close(started_read)
                    _kernel(request, kernel_path, zygote_pid,
                            (request_fd, reply_fd, started_write))
                os.close(started_write)
                os.read(started_read, 1)  # its own session first: signals to its group are its
                os.close(started_read)
            replies.write(json.dumps({"pid": pid if pid > 0 else None}) + "\n")
            replies.flush()


def preload_data(data: dict) -> bool:
    """Read and check the run's trial data (``helpers.data.run_data.preload_run_data``: CSV
    only, a zygote with threads must not fork) so that each kernel forked afterwards has them
    (a copy of the memory, not a second read of the files). Whatever goes wrong is left to the
    kernel's own reading, which reports it. True when the data were read."""
    try:
        from helpers.data.run_data import preload_run_data

        return preload_run_data(data)
    except Exception:  # noqa: BLE001 - the kernel reads the data itself and says what is wrong
        return False


def _reap(_signum, _frame) -> None:
    try:
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass


def _kernel(request: dict, kernel_path: list[str], zygote_pid: int, fds: tuple) -> None:
    """In the forked child: become ``python -m ipykernel_launcher ARGV`` and exit with it."""
    code, started = 1, False
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.setsid()  # jupyter_client starts kernels in a new session (process group)
        os.write(fds[-1], b"1")  # the zygote answers the worker only after this
        die_with_parent(zygote_pid)
        for fd in fds:
            os.close(fd)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.path[:] = kernel_path
        sys.argv = ["ipykernel_launcher", *request["argv"]]
        if os.environ.get("JPY_PARENT_PID"):  # read by ipykernel at import, in the zygote
            sys.argv.append(f"--IPKernelApp.parent_handle={int(os.environ['JPY_PARENT_PID'])}")
        from ipykernel import kernelapp

        app = kernelapp.IPKernelApp.instance()
        app.initialize()  # binds the kernel's sockets
        started = True
        app.start()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - shown on the kernel's stderr, as a kernel would
        import traceback

        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
            # A kernel that could not start (e.g. a port taken by a kernel started at the same
            # moment: "Address already in use") ends at once, so that jupyter_client sees it
            # die and starts it again (helpers.run.execute); its exit functions would wait for
            # its open sockets (zmq's context.term) until jupyter_client gives up after 60 s.
            if started or code == 0:
                atexit._run_exitfuncs()  # what an interpreter's exit runs; then no second cleanup
                sys.stdout.flush()
                sys.stderr.flush()
        finally:
            os._exit(code)
