"""Write the local `.env` that `make run` uses: `python -m catalogue.localenv --site-url URL`.

The file makes this checkout a development site for every `manage.py` command, not only for
the ones make starts: debug on, a secret key generated once for this machine, and the address
the development server listens on (mails and calendar files link there). Values a developer
set by hand are kept; only the site address follows `make run PORT=…`, and only while it points
at this machine.
"""

from __future__ import annotations

import argparse
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import dotenv_values, set_key

HEADER = (
    "# Local development settings, written by `make run` (git-ignored; never used in production).\n"
    "# Edit freely: variables set in the environment win over these.\n"
)
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "0.0.0.0"}


def write_local_env(path: Path, site_url: str) -> dict[str, str]:
    """Create or complete `path`; returns the keys it wrote."""
    if not path.exists():
        path.write_text(HEADER, encoding="utf-8")
        path.chmod(0o600)  # it holds a secret key
    current = dotenv_values(path)
    wanted = {
        "DJANGO_DEBUG": "1",
        "DJANGO_SECRET_KEY": "django-insecure-" + secrets.token_urlsafe(50),
        "SITE_URL": site_url,
    }
    written = {}
    for key, value in wanted.items():
        present = current.get(key)
        follows_port = key == "SITE_URL" and present and urlsplit(present).hostname in LOCAL_HOSTS
        if not present or (follows_port and present != value):
            set_key(path, key, value, quote_mode="never")
            written[key] = value
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", default=str(Path(__file__).resolve().parent.parent / ".env"))
    parser.add_argument("--site-url", required=True)
    args = parser.parse_args()
    written = write_local_env(Path(args.file), args.site_url.rstrip("/"))
    for key in written:
        print(f"{args.file}: {key} set" + (f" to {written[key]}" if key == "SITE_URL" else ""))


if __name__ == "__main__":
    main()
