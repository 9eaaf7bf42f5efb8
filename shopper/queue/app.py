"""The procrastinate App on the store's own PostgreSQL database, and the procrastinate schema in it."""
from __future__ import annotations

from ..errors import ConfigError
from ..store import POSTGRES_SCHEMES
from ..store.jobs import install_queue_schema

JOURNEYS_QUEUE = "journeys"     # one journey per job
RUNS_QUEUE = "runs"             # fan-out of scheduled runs, finishing runs, sweeps, reports
QUEUES = (JOURNEYS_QUEUE, RUNS_QUEUE)


def require_postgres(store_url: str, what: str) -> None:
    if not store_url.startswith(POSTGRES_SCHEMES):
        raise ConfigError(f"{what} needs a PostgreSQL store (the job queue lives in it): set store: "
                          f"postgresql://user:password@host:port/database in config.yaml or SHOPPER_STORE. With the "
                          f"default SQLite store, `runner.py schedule` runs everything itself on one machine")


def ensure_schema(store_url: str) -> None:
    """Install procrastinate's tables once per database (they sit beside the store's, prefixed procrastinate_)."""
    install_queue_schema(store_url)


def build_app(store_url: str):
    """A procrastinate App for the store's database, with our tasks (open it before deferring)."""
    import procrastinate

    from .tasks import blueprint

    require_postgres(store_url, "the job queue")
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=store_url, min_size=1, max_size=4))
    app.add_tasks_from(blueprint, namespace="shopper")
    return app
