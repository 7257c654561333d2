"""Celery tasks: thin, take ids, call services."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from celery.signals import celeryd_after_setup, worker_ready, worker_shutdown
from django.conf import settings

from jobs.pipelines import registry
from jobs.scheduling import model_queue, worker_models
from jobs.worker import job_wake, post_processing_drain


@shared_task(
    name="jobs.tasks.run_job", acks_late=True, reject_on_worker_lost=True, ignore_result=True
)
def run_job(job_id: int) -> str:
    """A wake-up: run the next fair job of ``job_id``'s model (jobs.scheduling). Its
    output's post-processing overlaps the next render (``jobs.worker.PostProcessing``)."""
    return job_wake(job_id=job_id, overlap=True)


@celeryd_after_setup.connect
def consume_model_queues(sender: object = None, instance: Any = None, **_: object) -> None:
    """A GPU worker (``-Q gpu``) consumes one queue per model it serves (``gpu.<model>``,
    ``VERNISSAGE_WORKER_MODELS``) instead of the plain one, so it is woken only for jobs
    it may run."""
    queues = instance.app.amqp.queues if instance is not None else None
    if queues is None or settings.GENERATION_QUEUE not in queues.consume_from:
        return
    for model in worker_models():
        queues.select_add(model_queue(model))
    queues.deselect([settings.GENERATION_QUEUE])


@worker_ready.connect
def preload_models(sender: object = None, **_: object) -> None:
    """A GPU worker loads the models it serves before taking the first job, so the first
    artist doesn't wait for them."""
    consumer = getattr(sender, "app", None)
    queues = consumer.amqp.queues.consume_from if consumer is not None else None
    mine = [model for model in worker_models() if queues and model_queue(model) in queues]
    for model in mine:
        registry().get(model)


@worker_shutdown.connect
def finish_post_processing(**_: object) -> None:
    """A warm shutdown finishes the outputs in post before the process ends (a worker
    killed outright loses none either: their leases lapse and the reaper re-queues)."""
    post_processing_drain()
