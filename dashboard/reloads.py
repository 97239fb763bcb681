"""Publishing the definitions again from the app, in the background: one reload at a time in each
worker (etl.reload.Reloader, kept on the Flask app: no module-level state), its start and outcome
audited as `definitions-reload`. The administrator's page starts one after a change of definitions,
the service page after a workload plan is saved or withdrawn (the plan changes a measure's target)."""

from __future__ import annotations

import logging

import flask
from sqlalchemy.exc import SQLAlchemyError

from dashboard.context import current_settings
from etl.home import Home
from etl.reload import Reloader
from workflow import WorkflowError, WorkflowStore
from workflow.plans import PlansFile

__all__ = ["RELOAD", "reloads", "start_reload", "publish_plans"]

log = logging.getLogger(__name__)

RELOAD = "definitions-reload"  # its audit action
RELOADS_KEY = "shared_outcomes_reloads"  # this worker's reload thread, on the Flask app


def reloads() -> Reloader:
    """This worker's reloader."""
    return flask.current_app.extensions.setdefault(RELOADS_KEY, Reloader())


def start_reload(home: Home, store: WorkflowStore, by: str, **what) -> bool:
    """Start a reload unless one (or a load) is running, its start and end audited with `what`; True when
    started."""
    return reloads().start(home, lambda outcome: store.audit(by, RELOAD, {**outcome, **what}))


def publish_plans(store: WorkflowStore, by: str, **what) -> str:
    """After a workload plan is saved or withdrawn: copy the plans standing to the file the publish step
    reads (workflow.plans), then start the publish that judges against them; what happened, in words."""
    home = Home.at(current_settings().home)
    try:
        PlansFile(home.milestone_plans).write(store)
    except (OSError, SQLAlchemyError, WorkflowError):
        log.exception("the saved workload plans were not copied for the publish step")
        return "It could not yet be copied for the publish step (the server log says why): the next load applies it."
    if start_reload(home, store, by, **what):
        return "Publishing now: status is judged against it within a minute or so."
    return "A load or another publish is running now: the next publish judges status against it."
