"""Background work: the tasks the worker (or the in-process runner) runs.

Vocabulary, the same everywhere in the code: a **job** is a requisition (``Job`` in the
store and the graph, ``resolvers/jobs``, ``gateway/services/jobs.py``,
``jobs/sync_job.py`` refetches one); background work is a **task** (``TaskSpec``,
``task_registry``, ``*_tasks.py``) and the store's record of one run of a task is a
``BackgroundJob`` row, the name the API has always shown. arq's own word for a queued
call is kept only where arq is spoken to (``jobs/queue_arq.py``: ``arq_id``). The name of
this package is the one exception.
"""
