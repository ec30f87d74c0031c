"""MLF703 unauthenticated-server."""

from __future__ import annotations

from mlflow_lint.analysis.commands import Listening, interpret, listening
from mlflow_lint.checks.base import Check, FileContext
from mlflow_lint.sources.facts import Command


class UnauthenticatedServer(Check):
    """``mlflow server`` (or ``mlflow ui``, its alias: MLflow 3.18.0's ``AliasedGroup`` in
    mlflow/cli/__init__.py) listening on every interface with no authentication app."""

    # Whether a Dockerfile's image runs only in Compose services that publish no port:
    # asked only of a server the check would otherwise report.
    consults_project_facts = True

    def visit_command(self, command: Command, ctx: FileContext) -> None:
        invocation = interpret(command)
        if invocation is None or not invocation.is_server:
            return
        if command.published is False and not (
            command.service is not None and ctx.project_facts().service_may_publish(ctx.resolved_path(), command.service)
        ):
            # A compose service that publishes no port (nor does an override beside its file):
            # only the containers of its networks reach it (a proxy in front, which is where
            # authentication then belongs).
            return
        where, host = listening(invocation)
        if where is not Listening.EVERY_INTERFACE or host is None:
            return  # MLflow's default host is 127.0.0.1; a host not known here is not judged
        if invocation.configured("--app-name"):
            return  # basic-auth or another authentication plugin (or words that may name one)
        if command.in_image and ctx.project_facts().image_runs_unpublished(ctx.resolved_path()):
            return  # a Dockerfile's image that only unpublished Compose services run: as such a service's own command
        word, origin = host
        ctx.report_at("MLF703", word.position, word.text, command=invocation.subcommand[0], host=word.text, origin=origin)
