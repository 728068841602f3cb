"""Reading the policy file: the bundled default, or the admin's own via INTAKE_POLICY_FILE."""

from importlib.resources import files
from pathlib import Path

import yaml
from pydantic import ValidationError

from bot.errors import UserFacingError
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
        data = yaml.safe_load(text)
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
        return Policy.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "policy"
        raise UserFacingError(f"policy file {name}: {field}: {first['msg']}") from None
