"""Count the database queries of the main pages, in-process, against DATABASE_URL.

Prints one JSON object: {"home": 5, "catalogue": 6, ...}. Used by bench/run.py.
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "catalogue.settings")


def main() -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    pages = json.loads(sys.argv[1])
    client = Client()
    counts = {}
    for name, path in pages.items():
        client.get(path)  # warm caches of the process itself (templates, content types)
        with CaptureQueriesContext(connection) as context:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        counts[name] = len(context)
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
