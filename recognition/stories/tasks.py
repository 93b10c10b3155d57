from celery import shared_task

from recognition.stories.services import workflow


@shared_task(name="stories.tasks.publish_due", acks_late=True)
def publish_due() -> dict:
    """Publish the scheduled stories whose time has come (or hold them while publishing is paused)."""
    result = workflow.stories_publish_due()
    return {"published": result.published, "held": result.held, "refused": list(result.refused)}
