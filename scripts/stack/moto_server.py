"""moto's server (`moto_server -H host -p port`), with three per-request costs removed, and with
`--state-file PATH` its S3, Secrets Manager and Glue data kept across restarts.

Every request to moto_server 5.2 lists moto's package directory (about 200 `isdir` calls, to
see whether the Host header names a backend module) and writes an access-log line. Together
they were about 45 % of moto's CPU per S3 PutObject (4.1 -> 2.2 ms), which on a small machine
running moto beside the worker, the API and Temporal is CPU taken from all of them. The module
list cannot change while the server runs, so it is read once; the access log is off, while
warnings and errors (tracebacks) are still written.

moto keeps everything in memory and has no persistence of its own. With `--state-file`, the
backends of the services tributary uses are pickled to that file when the server stops (SIGTERM,
SIGINT) and loaded from it when it starts, so stopping and starting the local stack is like
restarting real S3: nothing goes. A SIGKILL skips the save: what changed since the start is lost.
The file is written beside itself and renamed, so a stop cut short leaves the previous state whole.
"""

import copyreg
import logging
import os
import pickle
import sys
import time
from datetime import datetime, timezone

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from moto import backends
from moto.core import serialize

_MODULES = tuple(backends.list_of_moto_modules())
backends.list_of_moto_modules = lambda: _MODULES
logging.getLogger("werkzeug").setLevel(logging.WARNING)

# moto's response serializer turns every timestamp it writes back into a datetime through botocore's
# dateutil parser: two thirds of moto's CPU for a ListObjectsV2 of 1,000 keys (one LastModified
# each). ISO 8601 strings with a zone, which is what moto hands it, parse the same with the standard
# library at a fraction of the cost; anything else goes the old way.
_parse_to_aware_datetime = serialize.parse_to_aware_datetime


def _fast_parse_to_aware_datetime(value):
    if isinstance(value, str) and "T" in value and "-" in value:
        try:
            parsed = datetime.fromisoformat(value)
            if parsed.tzinfo is not None:
                return parsed.astimezone(timezone.utc)
        except ValueError:
            pass
    return _parse_to_aware_datetime(value)


serialize.parse_to_aware_datetime = _fast_parse_to_aware_datetime

from moto.server import main  # noqa: E402  (after the patch, which its app reads per request)

# The services tributary talks to: raw pages (S3), credentials (Secrets Manager), transform jobs
# and the schema registry (Glue), the key workflow payloads are encrypted under (KMS).
PERSISTED_SERVICES = ("s3", "secretsmanager", "glue", "kms")


# moto gives every KMS key an RSA private key object, which pickle refuses: it is saved as PEM.
def _load_private_key(pem: bytes):
    return serialization.load_pem_private_key(pem, None)


def _reduce_private_key(key):
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return (_load_private_key, (pem,))


for _private_key in (rsa.generate_private_key(65537, 2048), ec.generate_private_key(ec.SECP256R1())):
    copyreg.pickle(type(_private_key), _reduce_private_key)
_FORMAT = 1


def _log(message: str) -> None:
    print(f"moto_server.py: {message}", file=sys.stderr, flush=True)


def _snapshot() -> dict:
    """{service: {(account, region): backend}} of every backend that holds state."""
    return {
        service: {
            (account, region): backend
            for account, region, backend in backends.get_backend(service).iter_backends()
        }
        for service in PERSISTED_SERVICES
    }


def save_state(path: str) -> None:
    started = time.monotonic()
    temporary = f"{path}.tmp"
    # Request threads may still be finishing when the server stops: a backend changed under the
    # pickler raises RuntimeError, and the next try sees it settled.
    for attempt in range(5):
        try:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as file:
                state = {"format": _FORMAT, "services": _snapshot()}
                pickle.dump(state, file, protocol=pickle.HIGHEST_PROTOCOL)
            break
        except RuntimeError:
            if attempt == 4:
                raise
            time.sleep(0.2)
    os.replace(temporary, path)
    size = os.path.getsize(path)
    _log(f"state saved to {path} ({size} bytes, {time.monotonic() - started:.1f}s)")


def load_state(path: str) -> None:
    if not os.path.exists(path):
        _log(f"no state at {path}: starting empty")
        return
    started = time.monotonic()
    # The file is this launcher's own, in the stack's data dir (unpickling runs code: keep it private).
    with open(path, "rb") as file:
        state = pickle.load(file)
    if state.get("format") != _FORMAT:
        raise SystemExit(
            f"{path} was written by another version of this launcher: move it away to start empty"
        )
    for service, regional in state["services"].items():
        service_backends = backends.get_backend(service)
        for (account, region), backend in regional.items():
            dict.__setitem__(service_backends[account], region, backend)
    _log(f"state loaded from {path} ({time.monotonic() - started:.1f}s)")


def _state_file_argument(argv: list[str]) -> tuple[str | None, list[str]]:
    """`--state-file PATH` taken out of the arguments; the rest go to moto."""
    if "--state-file" not in argv:
        return None, argv
    at = argv.index("--state-file")
    if at + 1 >= len(argv):
        raise SystemExit("--state-file needs a path")
    return os.path.abspath(argv[at + 1]), argv[:at] + argv[at + 2 :]


if __name__ == "__main__":
    state_file, moto_args = _state_file_argument(sys.argv[1:])
    sys.argv = sys.argv[:1] + moto_args  # moto's main reads sys.argv when given no arguments
    if state_file is None:
        main(moto_args)
    else:
        load_state(state_file)
        try:
            main(moto_args)  # SIGTERM and SIGINT end it with SystemExit (moto's own handlers)
        finally:
            save_state(state_file)
