"""Reading the policy file: the bundled default, or the admin's own via INTAKE_POLICY_FILE."""

from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.errors import UserFacingError
from intake.hours import next_window
from intake.policy import Policy


def load_policy(path: Path | None = None) -> Policy:
    """The validated policy; any problem is one line naming the file and the field."""
    name = str(path) if path else "the bundled policy"
    try:
        text = (
            path.read_text("utf-8")
            if path
            else (files("intake") / "default_policy.yaml").read_text("utf-8")
        )
        data = yaml.load(text, Loader=_NoDuplicateKeys)
    except OSError as error:
        raise UserFacingError(f"can't read policy file {name}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise UserFacingError(f"policy file {name} is not UTF-8 text") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None)
        detail = f" ({problem})" if problem else ""
        raise UserFacingError(f"policy file {name}{where} is not valid YAML{detail}") from None
    if not isinstance(data, dict):
        raise UserFacingError(f"policy file {name} must be a mapping of settings")
    try:
        policy = Policy.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "policy"
        raise UserFacingError(f"policy file {name}: {field}: {first['msg']}") from None
    try:
        next_window(policy.hours, datetime.now(UTC))
    except ValueError:  # every open day closed (extra_closures) for the years ahead
        raise UserFacingError(f"policy file {name}: hours: support never opens") from None
    return policy


class _NoDuplicateKeys(yaml.SafeLoader):
    """YAML keeps the last of two equal keys without a word: here a key given twice (two
    ``extra_closures:``) is a mistake to name, not an edit to lose."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"{key!r} is given twice", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)
