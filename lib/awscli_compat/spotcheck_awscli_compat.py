"""aws CLI v1 plugin: accept the v2-only global options the tutorial's commands use.

The tutorial was written for aws CLI v2 (``aws fis start-experiment ... --no-cli-pager``); the
machine has aws CLI v1, which rejects ``--no-cli-pager`` ("Unknown options"). v1 never pages,
so accepting the option and ignoring it gives the same behaviour as v2 with it.

Enable it for a child process (lib/paths.ts ``awscliCompatDir``; the sandbox's environment and the aws target's do this):

    PYTHONPATH=<repo>/lib/awscli_compat
    AWS_CONFIG_FILE=<a config file containing>
        [plugins]
        spotcheck_compat = spotcheck_awscli_compat
"""

from __future__ import annotations

from typing import Any

from awscli.arguments import CustomArgument

V2_ONLY_FLAGS = {
    "no-cli-pager": "Accepted for aws CLI v2 compatibility; aws CLI v1 never uses a pager.",
    "no-cli-auto-prompt": "Accepted for aws CLI v2 compatibility; ignored.",
}


def _add_flags(argument_table: dict[str, Any], **_: Any) -> None:
    for name, help_text in V2_ONLY_FLAGS.items():
        if name not in argument_table:
            argument_table[name] = CustomArgument(name, action="store_true", help_text=help_text)


def awscli_initialize(cli: Any) -> None:
    cli.register("building-top-level-params", _add_flags)
