"""``synthloop push RUN_DIR REPO_ID``: upload a run as a Hugging Face dataset repository.

The run is exported to a temporary folder (:func:`synthloop.hf.export.export_run`) and
sent in one commit with ``huggingface_hub`` (``create_repo`` then ``upload_folder``).
The endpoint and token follow huggingface_hub's own rules (``HF_ENDPOINT``, ``HF_TOKEN``,
``hf auth login``) unless given.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from synthloop.core.errors import ConfigError, HubError
from synthloop.hf.export import export_run


def _transport_errors() -> tuple[type[BaseException], ...]:
    """The connection errors of whichever HTTP client huggingface_hub uses."""
    import importlib

    found: list[type[BaseException]] = [OSError]
    for module in ("httpx", "httpx2", "requests"):
        try:
            mod = importlib.import_module(module)
        except ImportError:
            continue
        base = getattr(mod, "HTTPError", None) or getattr(mod, "RequestException", None)
        if isinstance(base, type) and issubclass(base, BaseException):
            found.append(base)
    return tuple(found)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def push_run(
    run_dir: str | Path,
    repo_id: str,
    *,
    endpoint: str | None = None,
    token: str | None = None,
    private: bool = False,
) -> str:
    """Upload the run to the dataset repo ``repo_id``; return the commit's URL."""
    from huggingface_hub import HfApi, constants
    from huggingface_hub.errors import HfHubHTTPError, HFValidationError, OfflineModeIsEnabled
    from huggingface_hub.utils import validate_repo_id

    try:  # a typo in the id is said before anything is exported or sent
        validate_repo_id(repo_id)
    except HFValidationError as exc:
        raise ConfigError(
            f"not a hub repo id: {repo_id!r}",
            hint="use NAME or NAMESPACE/NAME (letters, digits, '-', '_', '.'), e.g. me/reviews-s3",
        ) from exc
    where = endpoint or constants.ENDPOINT
    with tempfile.TemporaryDirectory(prefix="synthloop-push-") as tmp:
        # what is wrong with the run is said first: it does not depend on the network
        folder = export_run(run_dir, Path(tmp) / "dataset", repo_id=repo_id)
        if constants.HF_HUB_OFFLINE:
            raise HubError(
                "cannot push: Hugging Face offline mode is on "
                "(HF_HUB_OFFLINE or TRANSFORMERS_OFFLINE)",
                hint="unset HF_HUB_OFFLINE and TRANSFORMERS_OFFLINE for this command",
            )
        api = HfApi(endpoint=endpoint, token=token)
        try:
            api.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True)
            info = api.upload_folder(
                folder_path=folder,
                repo_id=repo_id,
                repo_type="dataset",
                commit_message=f"synthloop: {Path(run_dir).name}",
            )
        except OfflineModeIsEnabled as exc:
            raise HubError(f"cannot push: {_first_line(exc)}") from exc
        except HfHubHTTPError as exc:
            raise HubError(
                f"{where} refused the upload to {repo_id}: {_first_line(exc)}",
                hint="check the repo id and that the token may write to it (HF_TOKEN)",
            ) from exc
        except _transport_errors() as exc:
            raise HubError(
                f"cannot reach the hub at {where}: {_first_line(exc)}",
                hint="check the network, or point --endpoint / HF_ENDPOINT at a reachable hub",
                retryable=True,
            ) from exc
    return str(info.commit_url)
