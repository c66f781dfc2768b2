#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys

# Commands for developers that neither serve pages nor sign anything: they work on a fresh
# clone without DJANGO_SECRET_KEY (with a throw-away key). Everything else still refuses to
# start without it when debug is off.
NO_SECRET_NEEDED = {
    "makemigrations",
    "showmigrations",
    "sqlmigrate",
    "makemessages",
    "compilemessages",
}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "catalogue.settings")
    if len(sys.argv) > 1 and sys.argv[1] in NO_SECRET_NEEDED:
        os.environ.setdefault("DJANGO_THROWAWAY_SECRET_KEY", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
