"""The job queue for a PostgreSQL store (procrastinate): schedulers enqueue, workers on any machine run journeys.

    app.py       the procrastinate App on the store's database, its schema, the queues
    tasks.py     the jobs: a journey, a run's finish, a scheduled run, a sweep, the emailed report
    journeys.py  a queued run: enqueue its journeys, run one in a worker, finish the run once
    worker.py    `runner.py worker`: one Chromium per worker process, lost workers' jobs retried
    schedule.py  `runner.py schedule` on PostgreSQL: procrastinate periodic defers, never twice per slot
"""
