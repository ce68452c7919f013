"""Who may use the grading cluster: only a holder of its TLS key, and its HTTP servers answer nothing.

A Dask scheduler runs whatever a connected client sends (``client.run``,
``submit``) on its workers, as the workers' user: root, or the instructor,
with the hidden graders and every submission in reach.  Loopback is no
boundary against the other users of a shared machine (``/proc/net/tcp`` lists
every listening port), so every comm of a grading cluster is TLS with mutual
certificates (``require_encryption``): a client without the key is refused
in the handshake.

- The local cluster ``make grade`` starts has a key and certificate of its own,
  made for the run and kept in memory (``Security.temporary``), never on disk;
  its worker processes receive them from the process that spawns them.
- A standing cluster (``--scheduler``) must listen on ``tls://``; a plain
  ``tcp://`` address is refused with the commands that start one with TLS.  The
  client's credentials come from Dask's own configuration
  (``distributed.comm.tls.*``, e.g. ``DASK_DISTRIBUTED__COMM__TLS__CA_FILE``) or
  are named explicitly.  ``python -m course_kit.parallel.cluster_security DIR``
  writes a key and certificate for one (0600, in a 0700 folder).

Every scheduler and worker also runs an HTTP server (Dask starts one whatever
the dashboard setting: health checks, Prometheus metrics, the scheduler's
``/info`` pages naming workers and task keys).  ``SILENT_HTTP`` gives them no
routes, so that on their loopback port nothing answers but 404.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from distributed.security import Security

TLS = "tls://"
# The HTTP servers' routes (Dask's configuration): none, for the scheduler and the workers of a grading cluster.
SILENT_HTTP = {"distributed.scheduler.http.routes": [], "distributed.worker.http.routes": []}

CREDENTIALS = {"tls_ca_file": "ca.pem", "tls_client_cert": "cert.pem", "tls_client_key": "key.pem"}
CONFIG_KEYS = {"tls_ca_file": "distributed.comm.tls.ca-file", "tls_client_cert": "distributed.comm.tls.client.cert",
               "tls_client_key": "distributed.comm.tls.client.key"}


class InsecureCluster(ValueError):
    """The standing cluster cannot be used with TLS as given: the message says how to make it so."""


def how_to_start(address: str = "tls://HOST:8786", folder: str = "~/.course-kit-tls") -> str:
    """The commands that start a standing cluster with TLS and point ``make grade`` at it."""
    files = " ".join(f"--tls-{flag} {folder}/{name}"
                     for flag, name in [("ca-file", "ca.pem"), ("cert", "cert.pem"), ("key", "key.pem")])
    return (
        f"  python -m course_kit.parallel.cluster_security {folder}     # a key and certificate, 0600 in a 0700 "
        "folder\n"
        f"  DASK_DISTRIBUTED__SCHEDULER__HTTP__ROUTES='[]' dask scheduler {files} --no-dashboard\n"
        f"  DASK_DISTRIBUTED__WORKER__HTTP__ROUTES='[]' dask worker {address} --nthreads 1 --no-dashboard {files}\n"
        f"  make grade A=... SCHEDULER={address} TLS_DIR={folder}   (or DASK_DISTRIBUTED__COMM__TLS__CA_FILE, "
        "..._CLIENT__CERT, ..._CLIENT__KEY)"
    )


def local_security() -> Security:
    """A key and self-signed certificate for one run's local cluster, in memory only; encryption required."""
    return Security.temporary()


def standing_security(scheduler: str, tls_dir: Path | None = None) -> Security:
    """The client's credentials for the standing cluster at ``scheduler``: from ``tls_dir`` (ca.pem, cert.pem,
    key.pem), else Dask's configuration; ``InsecureCluster`` for a plain address or missing credentials."""
    if not scheduler.startswith(TLS):
        raise InsecureCluster(
            f"{scheduler} is not a TLS address: any user who can reach a plain tcp:// Dask scheduler can run code "
            f"as its workers' user. Start the cluster with TLS and grade on its tls:// address:\n{how_to_start()}")
    explicit = {field: str(tls_dir / name) for field, name in CREDENTIALS.items()} if tls_dir else {}
    security = Security(require_encryption=True, **explicit)
    missing = [CONFIG_KEYS[field] for field in CREDENTIALS if not getattr(security, field)]
    if missing:
        raise InsecureCluster(
            f"no TLS credentials for {scheduler} ({', '.join(missing)} unset): name a folder holding ca.pem, "
            f"cert.pem and key.pem (--tls-dir, make's TLS_DIR=), or set them in Dask's configuration. To start "
            f"a TLS cluster:\n{how_to_start(scheduler)}")
    unreadable = [path for path in (getattr(security, field) for field in CREDENTIALS)
                  if "-----BEGIN" not in path and not os.access(path, os.R_OK)]
    if unreadable:
        raise InsecureCluster(f"cannot read the TLS credentials {', '.join(unreadable)}")
    return security


@dataclass(frozen=True)
class CredentialFiles:
    ca_file: Path
    cert: Path
    key: Path

    def dask_config(self) -> dict[str, str]:
        """Dask's configuration that gives a client (``grade_class --scheduler``) these credentials."""
        files = {"tls_ca_file": self.ca_file, "tls_client_cert": self.cert, "tls_client_key": self.key}
        return {CONFIG_KEYS[field]: str(path) for field, path in files.items()}

    def dask_env(self) -> dict[str, str]:
        """The same as environment variables (``DASK_DISTRIBUTED__COMM__TLS__CA_FILE``, ...)."""
        return {"DASK_" + key.upper().replace(".", "__").replace("-", "_"): value
                for key, value in self.dask_config().items()}

    def cli_options(self) -> list[str]:
        """``dask scheduler`` / ``dask worker`` options for these credentials."""
        return ["--tls-ca-file", str(self.ca_file), "--tls-cert", str(self.cert), "--tls-key", str(self.key)]


def write_credentials(folder: Path, security: Security | None = None) -> CredentialFiles:
    """``security``'s (default: a new one's) CA, certificate and key as ca.pem, cert.pem, key.pem in ``folder``,
    each 0600, the folder 0700 (made if missing, tightened if not): readable by this user alone."""
    security = security or local_security()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    for field, name in CREDENTIALS.items():
        path = folder / name
        path.unlink(missing_ok=True)  # O_EXCL below: never write into a file (or link) that was there
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600), "w") as file:
            file.write(getattr(security, field))
    return CredentialFiles(*(folder / name for name in CREDENTIALS.values()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a key and certificate for a standing TLS grading cluster "
                                                 "(ca.pem, cert.pem, key.pem: 0600, in a 0700 folder).")
    parser.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    files = write_credentials(args.folder.expanduser())
    print(f"Wrote {files.ca_file}, {files.cert}, {files.key}. Start the cluster with:\n"
          f"{how_to_start(folder=str(args.folder))}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
