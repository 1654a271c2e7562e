"""moto's server (`moto_server -H host -p port`), with two per-request costs removed.

Every request to moto_server 5.2 lists moto's package directory (about 200 `isdir` calls, to
see whether the Host header names a backend module) and writes an access-log line. Together
they were about 45 % of moto's CPU per S3 PutObject (4.1 -> 2.2 ms), which on a small machine
running moto beside the worker, the API and Temporal is CPU taken from all of them. The module
list cannot change while the server runs, so it is read once; the access log is off, while
warnings and errors (tracebacks) are still written. Nothing else about moto changes.
"""

import logging

from moto import backends

_MODULES = tuple(backends.list_of_moto_modules())
backends.list_of_moto_modules = lambda: _MODULES
logging.getLogger("werkzeug").setLevel(logging.WARNING)

from moto.server import main  # noqa: E402  (after the patch, which its app reads per request)

if __name__ == "__main__":
    main()
