"""Celery tasks: thin, take ids, call services."""

from __future__ import annotations

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings

from jobs.pipelines import registry
from jobs.worker import job_run


@shared_task(
    name="jobs.tasks.run_job", acks_late=True, reject_on_worker_lost=True, ignore_result=True
)
def run_job(job_id: int) -> str:
    return job_run(job_id=job_id)


@worker_ready.connect
def preload_default_model(sender: object = None, **_: object) -> None:
    """A GPU worker loads its default model before taking the first job, so the first
    artist doesn't wait for it."""
    consumer = getattr(sender, "app", None)
    queues = consumer.amqp.queues.consume_from if consumer is not None else None
    if queues and settings.GENERATION_QUEUE not in queues:
        return
    registry().get(settings.GENERATION_DEFAULT_MODEL)
