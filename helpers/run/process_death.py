"""Children that die with their parent: the runner's workers and their kernels.

A process killed with SIGKILL cannot clean up after itself. On Linux each worker and each
kernel asks the kernel to send it SIGKILL when its parent dies (``prctl(PR_SET_PDEATHSIG)``,
called through ctypes: neither the standard library nor psutil offers it), so killing the
runner alone ends the whole tree: runner -> worker -> kernel. Elsewhere these are no-ops and
the kernel's own parent poller (``JPY_PARENT_PID``, ipykernel) remains the only safeguard.
"""

from __future__ import annotations

import os
import signal
import sys

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_parent(parent_pid: int | None = None) -> bool:
    """Ask for SIGKILL when the parent process dies; True when the request was made.

    ``parent_pid`` is the parent the caller expects: if it has already died (the request came
    too late to be triggered), the process kills itself at once.
    """
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        return False
    if parent_pid is not None and os.getppid() != parent_pid:
        os.kill(os.getpid(), signal.SIGKILL)
    return True


def kernel_manager_class():
    """A jupyter_client kernel manager whose kernels die with the process that started them.

    Passed to papermill (``kernel_manager_class=``, handed on to nbclient). The kernel is
    started with ``start_new_session`` by jupyter_client; ``preexec_fn`` runs in the child
    after that, before the kernel's program is executed, and the death signal survives exec.
    When the worker has a zygote (``helpers.run.zygote``), the kernel is forked from it.
    """
    from jupyter_client.manager import AsyncKernelManager

    from jupyter_client.provisioning import LocalProvisioner

    from helpers.run import zygote

    class DieWithParentKernelManager(AsyncKernelManager):
        async def _async_launch_kernel(self, kernel_cmd, **kw):
            provisioner = self.provisioner
            if type(provisioner) is LocalProvisioner:  # forked by the worker's zygote, if any
                kernel = zygote.launch(kernel_cmd, kw.get("env"), kw.get("cwd"))
                if kernel is not None:  # what LocalProvisioner.launch_kernel records
                    provisioner.process, provisioner.pid = kernel, kernel.pid
                    provisioner.pgid = kernel.pid  # it leads its own session (setsid)
                    provisioner.cwd = kw.get("cwd")
                    self._reconcile_connection_info(provisioner.connection_info)
                    return
            parent = os.getpid()
            kw.setdefault("preexec_fn", lambda: die_with_parent(parent))
            return await super()._async_launch_kernel(kernel_cmd, **kw)

    return DieWithParentKernelManager
