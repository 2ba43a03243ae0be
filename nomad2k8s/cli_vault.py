"""The CLI's live Vault check set-up (opt-in): settings from flags and the environment, one line on failure."""

from __future__ import annotations

from pathlib import Path

import typer

from .cli import _err
from .vault_check import VaultChecker


def vault_checker(addr: str | None, token_file: Path | None, required: bool) -> VaultChecker | None:
    """The live Vault check is opt-in; an unusable Vault is one warning line (or exit 1 if required)."""
    from .vault_check import VaultSettings, VaultSettingsError, VaultUnavailable

    try:
        settings = VaultSettings.from_env(addr, token_file)
    except VaultSettingsError as exc:  # unreadable token file, non-ASCII token: a usage error
        _err(f"error: {exc}")
        raise typer.Exit(2) from None
    if settings is None:
        if required:
            _err("error: --vault-required needs --vault-addr or VAULT_ADDR")
            raise typer.Exit(2)
        return None
    try:
        return VaultChecker(settings)
    except VaultUnavailable as exc:
        if required:
            _err(f"error: {exc}")
            raise typer.Exit(1) from None
        _err(f"warning: {exc}; live Vault check skipped")
        return None
