"""gunicorn settings for the Trainingscatalogus: `gunicorn catalogue.wsgi` picks this file up.

Every value can be overridden on the command line or with GUNICORN_CMD_ARGS.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count()))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))  # a large XLSX export takes a while
graceful_timeout = 30
# Load the application once in the master: a worker that is (re)started is forked ready to
# serve, instead of importing Django while requests queue up behind it. Restart (not HUP)
# the master to deploy new code.
preload_app = True
max_requests = 10000  # recycle workers now and then, against slow leaks
max_requests_jitter = 1000
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
errorlog = "-"
# Include the request id (set by the application) so access lines match application logs.
# What a line holds (README, "Privacy (AVG)"): client address, method, path, status, size,
# duration, request id; no referrer, no user agent, no cookies.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms id=%({x-request-id}o)s'
# A self-service link is enough to cancel a place: the access log shows /inschrijving/…/ and
# "…" for any signed token in a path or token-carrying query value.
logger_class = "catalogue.accesslog.RedactingLogger"


def post_worker_init(worker):
    """Start building the catalogue's facet index as soon as a worker is up (in a background
    thread), so the first visitors are not the ones who find it missing."""
    from catalogue.public import facet_index

    facet_index.warm_up()
