"""The Celery application. Configuration comes from Django settings (CELERY_* names).

With no broker (the embedded default) tasks run in this process (task_always_eager); with
TASKS_IN_THREADS on (the embedded default's setting) each one sent runs in a thread of its
own, so the request that sent it answers at once: an upload page follows its dump's progress
live, as it does with real workers.
"""

import logging
import os
import threading

from celery import Celery, Task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

logger = logging.getLogger(__name__)


class PaperboardTask(Task):
    """Sends as Celery does, except that an eager task runs off the request when
    settings.TASKS_IN_THREADS says so."""

    def apply_async(
        self,
        args=None,
        kwargs=None,
        task_id=None,
        producer=None,
        link=None,
        link_error=None,
        shadow=None,
        **options,
    ):
        from django.conf import settings

        if not (self.app.conf.task_always_eager and settings.TASKS_IN_THREADS):
            return super().apply_async(
                args, kwargs, task_id, producer, link, link_error, shadow, **options
            )
        thread = threading.Thread(
            target=_run_in_thread,
            args=(self, args, kwargs),
            name=f"task {self.name}",
            daemon=True,
        )
        thread.start()
        return None


def _run_in_thread(task: Task, args, kwargs) -> None:
    from django.db import connections

    try:
        task.apply(args=args, kwargs=kwargs)
    except Exception:  # apply() records the task's own errors; this is anything else
        logger.exception("task %s failed in its thread", task.name)
    finally:
        connections.close_all()  # this thread's connections, not the server's


app = Celery("paperboard", task_cls=PaperboardTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
