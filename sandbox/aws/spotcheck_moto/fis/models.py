"""FIS experiments on top of moto's experiment templates.

moto 5.2.1 stores experiment templates only. This backend adds what the tutorial's Step 6
needs and what the aws CLI and SDK expect around it: template validation, Get/List/Update of
templates, Start/Get/List/Stop of experiments with FIS's state machine, and the action
``aws:ec2:send-spot-instance-interruptions`` (plus ``aws:fis:wait``) carried out against moto's
EC2 with the events EC2 publishes on AWS.

Experiment lifecycle (tutorial time: deferred steps run on ``scheduler.after``, on the sandbox
daemon's clock when there is one; creation, start and end times of experiments and actions
and templates are tutorial instants, ``config.tutorial_now()``):

    StartExperiment -> initiating --(targets resolved, INITIATING_SECONDS)--> running
        -> completed        when every action completed (or was skipped)
        -> failed           when a target an action needs resolved to nothing
                            (emptyTargetResolutionMode "fail", the default)
    StopExperiment  -> stopping --(STOPPING_SECONDS)--> stopped

Deferred steps are ``functools.partial``s of the backend's methods, not closures: a sandbox
snapshot pickles pending jobs (scheduler.py, snapshot.py).

Spot interruption action, per target instance: at once an "EC2 Instance Rebalance
Recommendation"; two minutes before the end an "EC2 Spot Instance Interruption Warning" (at
once for PT2M); at the end EC2 terminates (or stops) the instance if it still runs, which
publishes the state-change events, closes the Spot request with
``instance-terminated-by-experiment`` and marks the Spot pool as reclaimed.

This module is named ``spotcheck_moto.fis.models`` on purpose: moto finds a backend's URL
table next to its class (``spotcheck_moto.fis.urls``) and derives the service of CloudFormation
models from the second part of the module path ("fis").
"""

from __future__ import annotations

import random
import string
import threading
from functools import partial
from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.ec2.models import ec2_backends
from moto.ec2.models.instances import StateReason
from moto.fis.models import ExperimentTemplate, FISBackend
from moto.moto_api._internal import mock_random
from moto.utilities.tagging_service import TaggingService

from .. import config, events, scheduler
from ..ec2_spot import market
from .targets import INSTANCE_TYPES, TargetError, instance_view, parse_iso_duration, parse_selection_mode, resolve_instances

INITIATING_SECONDS = 2.0  # tutorial seconds FIS spends resolving targets
STOPPING_SECONDS = 2.0
SPOT_WARNING_LEAD_SECONDS = 120.0  # the interruption warning comes two minutes before the end

SPOT_ACTION = "aws:ec2:send-spot-instance-interruptions"
WAIT_ACTION = "aws:fis:wait"

# Actions this sandbox carries out, described as GetAction/ListActions describe them.
ACTIONS: dict[str, dict[str, Any]] = {
    SPOT_ACTION: {
        "description": "Send a Spot Instance interruption notice to target Spot Instances two minutes before interrupting them.",
        "parameters": {
            "durationBeforeInterruption": {
                "description": "The time to wait before interrupting the instance (ISO 8601 duration, 2 to 15 minutes).",
                "required": True,
            }
        },
        "targets": {"SpotInstances": {"resourceType": "aws:ec2:spot-instance"}},
    },
    WAIT_ACTION: {
        "description": "Run the AWS FIS wait action.",
        "parameters": {"duration": {"description": "The duration (ISO 8601), from one minute to 12 hours.", "required": True}},
        "targets": {},
    },
}

# Real FIS actions a template may name; the sandbox accepts them in templates but cannot run them.
OTHER_KNOWN_ACTIONS = {
    "aws:cloudwatch:assert-alarm-state",
    "aws:dynamodb:global-table-pause-replication",
    "aws:ebs:pause-volume-io",
    "aws:ec2:api-insufficient-instance-capacity-error",
    "aws:ec2:asg-insufficient-instance-capacity-error",
    "aws:ec2:reboot-instances",
    "aws:ec2:stop-instances",
    "aws:ec2:terminate-instances",
    "aws:ecs:drain-container-instances",
    "aws:ecs:stop-task",
    "aws:eks:pod-delete",
    "aws:eks:terminate-nodegroup-instances",
    "aws:fis:inject-api-internal-error",
    "aws:fis:inject-api-throttle-error",
    "aws:fis:inject-api-unavailable-error",
    "aws:network:disrupt-connectivity",
    "aws:rds:failover-db-cluster",
    "aws:rds:reboot-db-instances",
    "aws:ssm:send-command",
    "aws:ssm:start-automation-execution",
}

TARGET_RESOURCE_TYPES = {
    "aws:ec2:instance": "Amazon EC2 instances.",
    "aws:ec2:spot-instance": "Amazon EC2 Spot Instances.",
}

# Reasons FIS gives for states (the wording of real FIS may differ; see the report).
REASON = {
    "initiating": "Experiment is initiating.",
    "running": "Experiment is running.",
    "completed": "Experiment completed.",
    "stopping": "Stopping the experiment.",
    "stopped": "Experiment stopped.",
    "empty": "Target resolution returned empty set",
}


class ValidationException(JsonRESTError):
    code = 400

    def __init__(self, message: str):
        super().__init__("ValidationException", message)


class ResourceNotFoundException(JsonRESTError):
    code = 404

    def __init__(self, message: str):
        super().__init__("ResourceNotFoundException", message)


def _fis_id(prefix: str) -> str:
    alphabet = string.ascii_letters + string.digits
    return prefix + "".join(mock_random.choice(alphabet) for _ in range(14))


def _page(items: list[Any], max_results: Any, next_token: Any, default: int = 100) -> tuple[list[Any], str | None]:
    start = int(next_token) if next_token else 0
    size = int(max_results) if max_results else default
    page = items[start : start + size]
    return page, (str(start + size) if start + size < len(items) else None)


# ---- validation ---------------------------------------------------------------------------------


def validate_template(targets: dict[str, Any] | None, actions: dict[str, Any] | None, stop_conditions: list[Any] | None, role_arn: str | None) -> None:
    """Reject what FIS rejects when a template is created or updated."""
    if not role_arn:
        raise ValidationException("Role ARN is required.")
    if not actions:
        raise ValidationException("An experiment template must contain at least one action.")
    if not stop_conditions:
        raise ValidationException("An experiment template must contain at least one stop condition.")
    for condition in stop_conditions:
        source = (condition or {}).get("source")
        if source not in ("none", "aws:cloudwatch:alarm"):
            raise ValidationException(f"Stop condition source {source!r} is not valid. Valid sources are none and aws:cloudwatch:alarm.")
    targets = targets or {}
    for name, target in targets.items():
        if not target.get("resourceType"):
            raise ValidationException(f"Target {name} must specify a resource type.")
        if target.get("resourceArns") and target.get("resourceTags"):
            raise ValidationException(f"You cannot specify both resource ARNs and resource tags for target {name}.")
        if not target.get("selectionMode"):
            raise ValidationException(f"Target {name} must specify a selection mode.")
        try:
            parse_selection_mode(target["selectionMode"])
        except TargetError as e:
            raise ValidationException(f"Target {name}: {e}") from e
        for f in target.get("filters") or []:
            if not f.get("path") or not f.get("values"):
                raise ValidationException(f"Target {name}: a filter needs a path and at least one value.")
    for name, action in actions.items():
        action_id = action.get("actionId")
        if action_id not in ACTIONS and action_id not in OTHER_KNOWN_ACTIONS:
            raise ValidationException(f"Action {action_id} for {name} is not a valid action.")
        for after in action.get("startAfter") or []:
            if after not in actions:
                raise ValidationException(f"Action {name} starts after unknown action {after}.")
        for key, target_name in (action.get("targets") or {}).items():
            if target_name not in targets:
                raise ValidationException(f"Action {name} refers to unknown target {target_name}.")
        spec = ACTIONS.get(action_id)
        if spec is None:
            continue
        params = action.get("parameters") or {}
        for param, meta in spec["parameters"].items():
            if meta["required"] and param not in params:
                raise ValidationException(f"Action {name} is missing the required parameter {param}.")
        for param in params:
            if param not in spec["parameters"]:
                raise ValidationException(f"Action {name} does not accept the parameter {param}.")
        for key, target_name in (action.get("targets") or {}).items():
            if key not in spec["targets"]:
                raise ValidationException(f"Action {name} does not accept the target key {key}. Valid keys: {', '.join(spec['targets']) or 'none'}.")
            wanted = spec["targets"][key]["resourceType"]
            if targets[target_name].get("resourceType") != wanted:
                raise ValidationException(f"Target {target_name} of action {name} must have resource type {wanted}.")
        for key in spec["targets"]:
            if key not in (action.get("targets") or {}):
                raise ValidationException(f"Action {name} requires the target key {key}.")
        if action_id == SPOT_ACTION:
            _spot_duration(params["durationBeforeInterruption"], name)
        if action_id == WAIT_ACTION:
            try:
                seconds = parse_iso_duration(params["duration"])
            except TargetError as e:
                raise ValidationException(f"Action {name}: invalid value for duration: {e}") from e
            if not 60 <= seconds <= 12 * 3600:
                raise ValidationException(f"Action {name}: duration must be between PT1M and PT12H.")


def _spot_duration(value: Any, action_name: str) -> float:
    try:
        seconds = parse_iso_duration(value)
    except TargetError as e:
        raise ValidationException(f"Action {action_name}: invalid value for durationBeforeInterruption: {e}") from e
    if not 120 <= seconds <= 900:
        raise ValidationException(
            f"Action {action_name}: durationBeforeInterruption must be between PT2M and PT15M, got {value}."
        )
    return seconds


# ---- experiments --------------------------------------------------------------------------------


class Experiment:
    def __init__(self, backend: SpotcheckFISBackend, template: ExperimentTemplate, experiment_id: str, sequence: int, options: dict[str, Any], tags: dict[str, str]):
        self.backend = backend
        self.id = experiment_id
        self.sequence = sequence
        self.template_id = template.id
        self.role_arn = template.role_arn
        self.targets = {k: dict(v) for k, v in (template.targets or {}).items()}
        self.stop_conditions = list(template.stop_conditions or [])
        self.log_configuration = template.log_configuration
        template_options = template.experiment_options or {}
        self.options = {
            "accountTargeting": template_options.get("accountTargeting", "single-account"),
            "emptyTargetResolutionMode": template_options.get("emptyTargetResolutionMode", "fail"),
            "actionsMode": options.get("actionsMode", "run-all"),
        }
        now = config.tutorial_now()
        self.creation_time = now
        self.start_time = now
        self.end_time: float | None = None
        self.status = "initiating"
        self.reason = REASON["initiating"]
        self.error: dict[str, str] | None = None
        self.actions: dict[str, dict[str, Any]] = {}
        for name, action in (template.actions or {}).items():
            entry = {k: v for k, v in action.items() if v is not None}
            entry["state"] = {"status": "pending", "reason": "Initial state"}
            self.actions[name] = entry
        self.resolved: dict[str, list[Any]] = {}
        self.timers: list[Any] = []
        self.tags = tags

    @property
    def arn(self) -> str:
        return f"arn:aws:fis:{self.backend.region_name}:{self.backend.account_id}:experiment/{self.id}"

    @property
    def terminal(self) -> bool:
        return self.status in ("completed", "stopped", "failed", "cancelled")

    def state(self) -> dict[str, Any]:
        state: dict[str, Any] = {"status": self.status, "reason": self.reason}
        if self.error:
            state["error"] = self.error
        return state

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "arn": self.arn,
            "experimentTemplateId": self.template_id,
            "roleArn": self.role_arn,
            "state": self.state(),
            "targets": self.targets,
            "actions": self.actions,
            "stopConditions": self.stop_conditions,
            "creationTime": self.creation_time,
            "startTime": self.start_time,
            "tags": self.backend.tagger.get_tag_dict_for_resource(self.arn),
            "experimentOptions": self.options,
            "targetAccountConfigurationsCount": 0,
        }
        if self.end_time is not None:
            out["endTime"] = self.end_time
        if self.log_configuration:
            out["logConfiguration"] = self.log_configuration
        return out

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "arn": self.arn,
            "experimentTemplateId": self.template_id,
            "state": self.state(),
            "creationTime": self.creation_time,
            "tags": self.backend.tagger.get_tag_dict_for_resource(self.arn),
            "experimentOptions": self.options,
        }


class SpotcheckFISBackend(FISBackend):
    def __init__(self, region_name: str, account_id: str):
        super().__init__(region_name, account_id)
        self.experiments: dict[str, Experiment] = {}
        self._sequence = 0
        # Guards experiment state; timer threads and request threads both take it. Nothing
        # under it posts a sandbox hook or calls back into FIS.
        self.lock = threading.RLock()

    # ---- templates ------------------------------------------------------------------------

    def create_experiment_template(self, client_token: str | None, description: str, stop_conditions: list[dict[str, Any]], targets: dict[str, Any] | None, actions: dict[str, Any], role_arn: str, tags: dict[str, str] | None = None, log_configuration: dict[str, Any] | None = None, experiment_options: dict[str, Any] | None = None, experiment_report_configuration: dict[str, Any] | None = None) -> dict[str, Any]:
        token = client_token or str(mock_random.uuid4())
        known = self._client_token_to_template_id.get(token)
        if known and known in self.experiment_templates:
            template = self.experiment_templates[known]
            return template.to_dict(tags=self.tagger.get_tag_dict_for_resource(template.arn))
        validate_template(targets, actions, stop_conditions, role_arn)
        options = {"accountTargeting": "single-account", "emptyTargetResolutionMode": "fail"}
        options.update(experiment_options or {})
        # tutorial time, as the experiments' times: a template never looks younger than its experiment
        now = config.tutorial_now()
        template = ExperimentTemplate(
            account_id=self.account_id,
            region_name=self.region_name,
            id=_fis_id("EXT"),
            client_token=token,
            description=description or "",
            stop_conditions=stop_conditions,
            targets=targets or {},
            actions=actions,
            role_arn=role_arn,
            log_configuration=log_configuration,
            experiment_options=options,
            experiment_report_configuration=experiment_report_configuration,
            creation_time=now,
            last_update_time=now,
        )
        self.experiment_templates[template.id] = template
        self._client_token_to_template_id[token] = template.id
        if tags:
            self.tagger.tag_resource(template.arn, TaggingService.convert_dict_to_tags_input(tags))
        return template.to_dict(tags=tags or {})

    def get_template(self, template_id: str) -> ExperimentTemplate:
        template = self.experiment_templates.get(template_id)
        if template is None:
            raise ResourceNotFoundException("Experiment template not found.")
        return template

    def get_experiment_template(self, template_id: str) -> dict[str, Any]:
        template = self.get_template(template_id)
        return template.to_dict(tags=self.tagger.get_tag_dict_for_resource(template.arn))

    def delete_experiment_template(self, id: str) -> dict[str, Any]:
        self.get_template(id)
        return super().delete_experiment_template(id)

    def list_experiment_templates(self, max_results: Any, next_token: Any) -> tuple[list[dict[str, Any]], str | None]:
        summaries = [
            {
                "id": t.id,
                "arn": t.arn,
                "description": t.description,
                "creationTime": t.creation_time,
                "lastUpdateTime": t.last_update_time,
                "tags": self.tagger.get_tag_dict_for_resource(t.arn),
            }
            for t in self.experiment_templates.values()
        ]
        return _page(summaries, max_results, next_token)

    def update_experiment_template(self, template_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        template = self.get_template(template_id)
        targets = changes.get("targets", template.targets)
        actions = changes.get("actions", template.actions)
        stop_conditions = changes.get("stopConditions", template.stop_conditions)
        role_arn = changes.get("roleArn", template.role_arn)
        validate_template(targets, actions, stop_conditions, role_arn)
        template.targets = targets or {}
        template.actions = actions
        template.stop_conditions = stop_conditions
        template.role_arn = role_arn
        if "description" in changes:
            template.description = changes["description"]
        if "logConfiguration" in changes:
            template.log_configuration = changes["logConfiguration"]
        if "experimentOptions" in changes:
            options = dict(template.experiment_options or {})
            options.update(changes["experimentOptions"] or {})
            template.experiment_options = options
        if "experimentReportConfiguration" in changes:
            template.experiment_report_configuration = changes["experimentReportConfiguration"]
        template.last_update_time = config.tutorial_now()
        return template.to_dict(tags=self.tagger.get_tag_dict_for_resource(template.arn))

    # ---- experiments ----------------------------------------------------------------------

    def start_experiment(self, template_id: str, client_token: str | None, experiment_options: dict[str, Any] | None, tags: dict[str, str] | None) -> dict[str, Any]:
        template = self.get_template(template_id)
        options = experiment_options or {}
        if options.get("actionsMode", "run-all") not in ("run-all", "skip-all"):
            raise ValidationException("actionsMode must be run-all or skip-all.")
        with self.lock:
            self._sequence += 1
            experiment = Experiment(self, template, _fis_id("EXP"), self._sequence, options, tags or {})
            self.experiments[experiment.id] = experiment
            if tags:
                self.tagger.tag_resource(experiment.arn, TaggingService.convert_dict_to_tags_input(tags))
            experiment.timers.append(scheduler.after(INITIATING_SECONDS, partial(self._initiate, experiment), f"fis-{experiment.id}-initiate"))
            return experiment.to_dict()

    def get_experiment_obj(self, experiment_id: str) -> Experiment:
        experiment = self.experiments.get(experiment_id)
        if experiment is None:
            raise ResourceNotFoundException("Experiment not found.")
        return experiment

    def get_experiment(self, experiment_id: str) -> dict[str, Any]:
        with self.lock:
            return self.get_experiment_obj(experiment_id).to_dict()

    def list_experiments(self, template_id: str | None, max_results: Any, next_token: Any) -> tuple[list[dict[str, Any]], str | None]:
        with self.lock:
            items = [e.summary() for e in self.experiments.values() if not template_id or e.template_id == template_id]
        return _page(items, max_results, next_token, default=50)

    def list_resolved_targets(self, experiment_id: str, target_name: str | None, max_results: Any, next_token: Any) -> tuple[list[dict[str, Any]], str | None]:
        with self.lock:
            experiment = self.get_experiment_obj(experiment_id)
            if target_name and target_name not in experiment.targets:
                raise ValidationException(f"Target {target_name} is not in the experiment.")
            rows = []
            for name, instances in experiment.resolved.items():
                if target_name and name != target_name:
                    continue
                for instance in instances:
                    rows.append(
                        {
                            "resourceType": experiment.targets[name].get("resourceType"),
                            "targetName": name,
                            "targetInformation": {"identifier": instance_view(instance)["Arn"]},
                        }
                    )
        return _page(rows, max_results, next_token)

    def stop_experiment(self, experiment_id: str) -> dict[str, Any]:
        with self.lock:
            experiment = self.get_experiment_obj(experiment_id)
            if experiment.terminal or experiment.status == "stopping":
                return experiment.to_dict()
            for timer in experiment.timers:
                scheduler.cancel(timer)
            experiment.timers.clear()
            experiment.status = "stopping"
            experiment.reason = REASON["stopping"]
            for action in experiment.actions.values():
                if action["state"]["status"] in ("running", "initiating"):
                    action["state"] = {"status": "stopping", "reason": "Stopping the action."}
            experiment.timers.append(scheduler.after(STOPPING_SECONDS, partial(self._finish_stop, experiment), f"fis-{experiment.id}-stop"))
            return experiment.to_dict()

    # ---- the state machine (timer threads) ------------------------------------------------

    def _finish_stop(self, experiment: Experiment) -> None:
        with self.lock:
            now = config.tutorial_now()
            for action in experiment.actions.values():
                status = action["state"]["status"]
                if status == "stopping":
                    action["state"] = {"status": "stopped", "reason": "Action was stopped."}
                    action["endTime"] = now
                elif status == "pending":
                    action["state"] = {"status": "cancelled", "reason": "Experiment was stopped."}
            experiment.status = "stopped"
            experiment.reason = REASON["stopped"]
            experiment.end_time = now

    def _ec2(self) -> Any:
        return ec2_backends[self.account_id][self.region_name]

    def _initiate(self, experiment: Experiment) -> None:
        with self.lock:
            if experiment.status != "initiating":
                return
            instances = list(self._ec2().all_instances())
            seed = config.spot_seed()
            for name, target in experiment.targets.items():
                if target.get("resourceType") not in INSTANCE_TYPES:
                    self._fail(experiment, f"Target {name}: resource type {target.get('resourceType')} is not supported by the spotcheck sandbox.", "ConfigurationFailure", f"targets/{name}")
                    return
                rng = random.Random(f"{seed}:{experiment.sequence}:{name}")
                experiment.resolved[name] = resolve_instances(instances, target, rng)
            for name, action in experiment.actions.items():
                action_id = action.get("actionId")
                if action_id not in ACTIONS:
                    self._fail(experiment, f"Action {action_id} is not supported by the spotcheck sandbox.", "ConfigurationFailure", f"actions/{name}")
                    return
            skip_mode = experiment.options.get("emptyTargetResolutionMode") == "skip"
            for name, action in experiment.actions.items():
                empty = [t for t in (action.get("targets") or {}).values() if not experiment.resolved.get(t)]
                if not empty:
                    continue
                if skip_mode:
                    action["state"] = {"status": "skipped", "reason": REASON["empty"]}
                else:
                    self._fail(experiment, REASON["empty"], "InvalidTarget", f"targets/{empty[0]}")
                    return
            experiment.status = "running"
            experiment.reason = REASON["running"]
            if experiment.options.get("actionsMode") == "skip-all":
                for action in experiment.actions.values():
                    if action["state"]["status"] == "pending":
                        action["state"] = {"status": "skipped", "reason": "Action was skipped (actionsMode skip-all)."}
            self._advance(experiment)

    def _fail(self, experiment: Experiment, reason: str, code: str, location: str) -> None:
        now = config.tutorial_now()
        experiment.status = "failed"
        experiment.reason = reason
        experiment.error = {"accountId": self.account_id, "code": code, "location": location}
        experiment.end_time = now
        for action in experiment.actions.values():
            if action["state"]["status"] in ("pending", "initiating", "running"):
                action["state"] = {"status": "cancelled", "reason": "Experiment failed."}

    def _advance(self, experiment: Experiment) -> None:
        """Start every pending action whose predecessors are done; complete the experiment when all are."""
        done = {"completed", "skipped"}
        for name, action in experiment.actions.items():
            if action["state"]["status"] != "pending":
                continue
            after = action.get("startAfter") or []
            if all(experiment.actions[a]["state"]["status"] in done for a in after):
                self._start_action(experiment, name, action)
        if all(a["state"]["status"] in done for a in experiment.actions.values()) and experiment.status == "running":
            experiment.status = "completed"
            experiment.reason = REASON["completed"]
            experiment.end_time = config.tutorial_now()

    def _start_action(self, experiment: Experiment, name: str, action: dict[str, Any]) -> None:
        action["state"] = {"status": "running", "reason": "Action is running."}
        action["startTime"] = config.tutorial_now()
        params = action.get("parameters") or {}
        if action["actionId"] == WAIT_ACTION:
            seconds = parse_iso_duration(params["duration"])
            experiment.timers.append(scheduler.after(seconds, partial(self._complete_action, experiment, name), f"fis-{experiment.id}-{name}"))
            return
        # SPOT_ACTION
        instances = [i for t in (action.get("targets") or {}).values() for i in experiment.resolved.get(t, [])]
        seconds = parse_iso_duration(params["durationBeforeInterruption"])
        for instance in instances:
            self._publish(instance, events.REBALANCE, {"instance-id": instance.id})
        warn_in = max(0.0, seconds - SPOT_WARNING_LEAD_SECONDS)
        if warn_in == 0:
            self._warn(experiment, name, instances)
        else:
            experiment.timers.append(scheduler.after(warn_in, partial(self._warn, experiment, name, instances), f"fis-{experiment.id}-{name}-warn"))
        experiment.timers.append(scheduler.after(seconds, partial(self._interrupt, experiment, name, instances), f"fis-{experiment.id}-{name}-interrupt"))

    @staticmethod
    def _interruption_behavior(instance: Any) -> str:
        request = getattr(instance, "spot_request", None)
        behavior = getattr(request, "instance_interruption_behaviour", None) or "terminate"
        return behavior if behavior in ("terminate", "stop", "hibernate") else "terminate"

    def _publish(self, instance: Any, detail_type: str, detail: dict[str, Any]) -> None:
        backend = instance.ec2_backend
        events.put_ec2_event(
            backend.account_id,
            backend.region_name,
            detail_type,
            detail,
            [events.instance_arn(backend.account_id, backend.region_name, instance.id)],
        )

    def _warn(self, experiment: Experiment, name: str, instances: list[Any]) -> None:
        with self.lock:
            if experiment.actions[name]["state"]["status"] != "running":
                return
            for instance in instances:
                if instance.state in ("pending", "running"):
                    detail = {"instance-id": instance.id, "instance-action": self._interruption_behavior(instance)}
                    self._publish(instance, events.SPOT_INTERRUPTION, detail)

    def _interrupt(self, experiment: Experiment, name: str, instances: list[Any]) -> None:
        with self.lock:
            if experiment.actions[name]["state"]["status"] != "running":
                return
            m = market()
            for instance in instances:
                if instance.state not in ("pending", "running"):
                    continue
                instance.terminated_by = "instance-terminated-by-experiment"
                if self._interruption_behavior(instance) == "terminate":
                    instance.terminate()
                else:  # stop and hibernate both end in "stopped" in moto
                    instance.stop()
                instance.state_reason = StateReason("Server.SpotInstanceTermination: Spot instance termination", "Server.SpotInstanceTermination")
                m.reclaim(instance.ec2_backend.region_name, instance.instance_type, instance.availability_zone)
            self._complete_action(experiment, name)

    def _complete_action(self, experiment: Experiment, name: str) -> None:
        with self.lock:
            action = experiment.actions[name]
            if action["state"]["status"] != "running":
                return
            action["state"] = {"status": "completed", "reason": "Action was completed."}
            action["endTime"] = config.tutorial_now()
            self._advance(experiment)

    # ---- actions catalogue ----------------------------------------------------------------

    def action_arn(self, action_id: str) -> str:
        return f"arn:aws:fis:{self.region_name}::action/{action_id}"

    def list_actions(self) -> list[dict[str, Any]]:
        return [
            {"id": action_id, "arn": self.action_arn(action_id), "description": spec["description"], "targets": spec["targets"], "tags": {}}
            for action_id, spec in ACTIONS.items()
        ]

    def get_action(self, action_id: str) -> dict[str, Any]:
        spec = ACTIONS.get(action_id)
        if spec is None:
            raise ResourceNotFoundException("Action not found.")
        return {"id": action_id, "arn": self.action_arn(action_id), "description": spec["description"], "parameters": spec["parameters"], "targets": spec["targets"], "tags": {}}

    def list_target_resource_types(self) -> list[dict[str, Any]]:
        return [{"resourceType": k, "description": v} for k, v in TARGET_RESOURCE_TYPES.items()]

    def get_target_resource_type(self, resource_type: str) -> dict[str, Any]:
        if resource_type not in TARGET_RESOURCE_TYPES:
            raise ResourceNotFoundException("Target resource type not found.")
        return {"resourceType": resource_type, "description": TARGET_RESOURCE_TYPES[resource_type], "parameters": {}}

    def cancel_all(self) -> None:
        with self.lock:
            for experiment in self.experiments.values():
                for timer in experiment.timers:
                    scheduler.cancel(timer)
