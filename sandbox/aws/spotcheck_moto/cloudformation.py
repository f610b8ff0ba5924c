"""Fixes to moto's CloudFormation change sets, which ``aws cloudformation deploy`` uses.

Outputs: moto 5.2.1 creates the stack of a CREATE change set with an empty template and, when the change
set is executed, stores the new template without re-reading it, so the stack's Outputs (and
Description) stay empty: the tutorial's ``describe-stacks --query
"Stacks[0].Outputs[?OutputKey=='FISExperimentID'].OutputValue"`` would print ``None``. After
executing a change set we re-read the template and rebuild the outputs, as CloudFormation has
them once the stack is complete.

No changes: running ``deploy`` again with the same template and parameters must print "No changes
to deploy" and succeed. CloudFormation then creates a FAILED change set ("The submitted
information didn't contain changes..."), which moto's backend does too, but moto's
CreateChangeSet handler raises "No updates are to be performed" first (a rule of UpdateStack).
"""

from __future__ import annotations

from typing import Any

from moto.cloudformation.models import CloudFormationBackend
from moto.cloudformation.responses import CloudFormationResponse


def install() -> None:
    """Patches moto; called once, by the package's install()."""
    original = CloudFormationBackend.execute_change_set

    def execute_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
        original(self, change_set_name, stack_name)
        change_set = self.change_sets.get(change_set_name) or next(
            (cs for cs in self.change_sets.values() if cs.change_set_name == change_set_name), None
        )
        if change_set is None:
            return
        stack = self.stacks[change_set.stack_id]
        stack._parse_template()
        stack.description = stack.template_dict.get("Description")
        stack.output_map = stack._create_output_map()

    CloudFormationBackend.execute_change_set = execute_change_set  # type: ignore[method-assign]

    original_create = CloudFormationResponse.create_change_set

    def create_change_set(self: Any) -> Any:
        self._validate_different_update = lambda *args, **kwargs: None  # only for this request
        return original_create(self)

    CloudFormationResponse.create_change_set = create_change_set  # type: ignore[method-assign]
