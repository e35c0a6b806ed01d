"""gunicorn settings for Youhu, read by `gunicorn youhu.wsgi` started in this folder (command-line options win).

    YOUHU_CLIENTS=32 gunicorn youhu.wsgi        # 32 concurrent clients (or a proxy's upstream keep-alive pool)

bench/intake.py serves the API with this file; its figures hold for these settings.
"""

import math
import os

# One process per core, one request thread each: on SQLite the writes are serialised anyway
# (youhu/tickets/writelock.py), and a second thread in a process only queues behind the GIL.
workers = int(os.environ.get("YOUHU_WORKERS", os.cpu_count() or 2))
worker_class = "gthread"
threads = int(os.environ.get("YOUHU_THREADS", "1"))
keepalive = 5
backlog = 2048

# A gthread worker keeps every keep-alive connection it accepts, and which worker accepts is luck: without a
# cap one worker ended up with nearly all 32 clients of bench/intake.py (5,650 requests against 374) and the
# API ran on one core (325 tickets/s; 616 with the clients spread evenly). The cap spreads them: a client
# beyond it waits in the backlog until a connection closes (idle keep-alive ends after `keepalive` s).
clients = int(os.environ.get("YOUHU_CLIENTS", "64"))
worker_connections = max(1, math.ceil(clients / workers))

# The workers' heartbeat file is touched on every loop; on tmpfs that costs no disk write.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"
