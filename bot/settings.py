"""Settings from the environment: the one place that reads it. Secrets stay ``SecretStr``."""

import contextlib
import json
import os
import re
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict, SettingsError

from bot.errors import UserFacingError
from intake.addresses import Address

# Slack's ids are upper case and its channel names lower case, so a name can't pass for an id.
_SLACK_CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{2,}")
_HTTP = ("http://", "https://")
_USER_ID = re.compile(r"[UW][A-Z0-9]+|[0-9]{5,25}")  # a Slack member id, a Discord user id


class Settings(BaseSettings):
    # "VAR=" with nothing after it (common in compose files) means the default, for every
    # setting alike.
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True, env_ignore_empty=True)

    data_dir: Path = Field(default=Path("data"), alias="INTAKE_DATA_DIR")
    database_url: str | None = Field(default=None, alias="INTAKE_DATABASE_URL")
    kb_dir: Path | None = Field(default=None, alias="INTAKE_KB_DIR")
    kb_embeddings: bool = Field(default=False, alias="INTAKE_KB_EMBEDDINGS")
    policy_file: Path | None = Field(default=None, alias="INTAKE_POLICY_FILE")
    # Both are written as plain text ("slack:C0123", "U01,U02"), not JSON: NoDecode hands the
    # text to the validators below instead of pydantic-settings' JSON parsing.
    team_channel: Annotated[Address | None, NoDecode] = Field(
        default=None, alias="INTAKE_TEAM_CHANNEL"
    )
    agent_ids: Annotated[frozenset[str], NoDecode] = Field(
        default=frozenset(), alias="INTAKE_AGENT_IDS"
    )
    http_host: str = Field(default="127.0.0.1", alias="INTAKE_HTTP_HOST")
    http_port: int = Field(default=3000, ge=0, le=65535, alias="INTAKE_HTTP_PORT")
    slack_bot_token: SecretStr | None = Field(default=None, alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(default=None, alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(default=None, alias="SLACK_APP_TOKEN")
    slack_api_base_url: str = Field(default="https://slack.com/api/", alias="SLACK_API_BASE_URL")
    discord_token: SecretStr | None = Field(default=None, alias="DISCORD_TOKEN")
    discord_api_base: str = Field(default="https://discord.com/api/v10", alias="DISCORD_API_BASE")
    discord_gateway_url: str = Field(
        default="wss://gateway.discord.gg/", alias="DISCORD_GATEWAY_URL"
    )
    discord_agent_role: str | None = Field(default=None, alias="INTAKE_DISCORD_AGENT_ROLE")

    @field_validator(
        "policy_file",
        "kb_dir",
        "data_dir",
        "http_host",
        "slack_bot_token",
        "slack_signing_secret",
        "slack_app_token",
        "discord_token",
        mode="before",
    )
    @classmethod
    def _blank_is_default(cls, value: object, info: ValidationInfo) -> object:
        """``INTAKE_DATA_DIR=`` (as ``${VAR:-}`` in a compose file or an empty ``.env`` line
        passes it) means "not set": the default (the bundled policy and guides, ``data``,
        127.0.0.1), as ``intake kb`` already reads it; as a path it would be the current
        folder, as a host every network interface, and as a token one sent to the platform."""
        if isinstance(value, str) and not value.strip():
            return cls.model_fields[str(info.field_name)].default
        return value

    @field_validator("slack_api_base_url", "discord_api_base", "discord_gateway_url")
    @classmethod
    def _web_address(cls, value: str, info: ValidationInfo) -> str:
        schemes = ("ws://", "wss://") if info.field_name == "discord_gateway_url" else _HTTP
        if not value.strip().startswith(schemes):
            raise ValueError(f"must start with {' or '.join(schemes)}: {value!r}")
        return value.strip()

    @field_validator("team_channel", mode="before")
    @classmethod
    def _parse_team_channel(cls, value: object) -> object:
        if isinstance(value, str):
            if not value.strip():
                return None
            platform, _, channel = value.partition(":")
            platform, channel = platform.strip().lower(), channel.strip()
            if platform not in {"slack", "discord"} or not channel:
                raise ValueError("must look like slack:<channel id> or discord:<channel id>")
            if platform == "discord" and not channel.isdigit():
                raise ValueError("a Discord channel id is a number (Copy Channel ID)")
            if platform == "slack" and not _SLACK_CHANNEL_ID.fullmatch(channel):
                raise ValueError(
                    "a Slack channel id looks like C0123ABCD (channel details → About → "
                    "Channel ID), not the channel's name"
                )
            return Address(platform=platform, channel=channel)  # the parts checked above
        return value

    @field_validator("discord_agent_role", mode="before")
    @classmethod
    def _role_id(cls, value: object) -> object:
        if isinstance(value, str):
            if not value.strip():
                return None
            if not value.strip().isdigit():
                raise ValueError(
                    "a Discord role id is a number (Server Settings → Roles → Copy Role ID)"
                )
            return value.strip()
        return value

    @field_validator("agent_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            # Commas as the README shows; the JSON list pydantic-settings once needed works too.
            text = value.strip()
            if text.startswith("["):
                with contextlib.suppress(ValueError):
                    value = json.loads(text)
            else:
                value = text.split(",")
        if isinstance(value, list | tuple | set | frozenset):
            ids = frozenset(str(part).strip() for part in value if str(part).strip())
            wrong = sorted(i for i in ids if not _USER_ID.fullmatch(i))
            if wrong:
                raise ValueError(
                    f"{', '.join(wrong)}: a user id is a Slack member id (U0123ABCD, profile → "
                    "Copy member ID) or a Discord user id (a number), separated by commas"
                )
            return ids
        return value

    @property
    def database(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'intake.db'}"


def load_settings() -> Settings:
    """Read the environment (and ``INTAKE_SECRETS_DIR``); a bad value is one line naming it.

    Secrets may come from files instead of variables: a folder such as ``/run/secrets`` with a
    file per setting, named like the variable (``SLACK_BOT_TOKEN``), as Docker and Kubernetes
    mount them.
    """
    secrets_dir = os.environ.get("INTAKE_SECRETS_DIR", "").strip() or None
    if secrets_dir and not Path(secrets_dir).is_dir():
        raise UserFacingError(f"INTAKE_SECRETS_DIR: {secrets_dir} is not a folder")
    if secrets_dir:
        _check_secret_files(Path(secrets_dir))
    try:
        return Settings(_secrets_dir=secrets_dir)
    except SettingsError as error:
        raise UserFacingError(f"settings: {error}") from None
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]) if first["loc"] else "settings"
        reason = str(first["msg"]).removeprefix("Value error, ")  # our validators' own words
        raise UserFacingError(f"{name}: {reason}") from None


def _check_secret_files(folder: Path) -> None:
    """Each setting's file in the secrets folder can be read as text; pydantic-settings would
    only say that getting the value failed, naming neither the file nor why."""
    for field in Settings.model_fields.values():
        path = folder / str(field.alias)
        if not path.exists() and not path.is_symlink():
            continue
        if path.is_dir():
            raise UserFacingError(f"INTAKE_SECRETS_DIR: {path} is a folder, not a file")
        try:
            path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise UserFacingError(f"INTAKE_SECRETS_DIR: {path} is not UTF-8 text") from None
        except OSError as error:
            reason = "a link to a missing file" if path.is_symlink() else error.strerror
            raise UserFacingError(f"INTAKE_SECRETS_DIR: can't read {path}: {reason}") from None
