"""Where uploaded files live: a directory on local disk by default, S3-compatible storage in
production (``STORAGE_URL=s3://bucket/prefix``).

The interface is three calls on a key (``put``, ``get``, ``delete``). Keys are plain paths
chosen by the caller; nothing here knows a community, so callers put the community's id in
the key and look the key up in their own (tenant-scoped) rows before reading it.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from flask import Flask, current_app

EXTENSION = "joren_storage"
# Letters, digits and ``/ _ . -``; no segment may start with a dot (no ``..``, no hidden files).
KEY = re.compile(r"(?:[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}/){0,4}[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}")
CONTENT_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
                 ".webp": "image/webp"}


class StorageError(Exception):
    """The storage could not be reached or refused the operation."""


@dataclass(frozen=True)
class StoredObject:
    data: bytes
    content_type: str


class Storage(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def get(self, key: str) -> StoredObject | None: ...

    def delete(self, key: str) -> None: ...


def check_key(key: str) -> str:
    if not KEY.fullmatch(key):
        raise ValueError(f"not a storage key: {key!r}")
    return key


def content_type_of(key: str) -> str:
    return CONTENT_TYPES.get(Path(key).suffix.lower(), "application/octet-stream")


class LocalStorage:
    """Files under one directory; the content type follows the key's extension."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)

    def _path(self, key: str) -> Path:
        return self.directory / check_key(key)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written beside the target and renamed: a reader never sees half a file.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> StoredObject | None:
        path = self._path(key)
        try:
            return StoredObject(path.read_bytes(), content_type_of(key))
        except (FileNotFoundError, IsADirectoryError):
            return None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


class S3Storage:
    """Objects in one bucket under a prefix, through boto3 (AWS S3, MinIO, R2, ...)."""

    def __init__(self, bucket: str, prefix: str = "", client: Any = None, **options: Any) -> None:
        import boto3  # only an installation that stores in S3 pays for importing boto3

        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client = client or boto3.client("s3", **{k: v for k, v in options.items() if v})

    def _key(self, key: str) -> str:
        return self.prefix + check_key(key)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        try:
            self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data,
                                   ContentType=content_type)
        except Exception as exc:  # botocore raises many kinds; callers need only one
            raise StorageError(str(exc)) from exc

    def get(self, key: str) -> StoredObject | None:
        try:
            found = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except self.client.exceptions.NoSuchKey:
            return None
        except Exception as exc:
            raise StorageError(str(exc)) from exc
        return StoredObject(found["Body"].read(),
                            found.get("ContentType") or content_type_of(key))

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._key(key))
        except Exception as exc:
            raise StorageError(str(exc)) from exc


def from_config(config: dict[str, Any]) -> Storage:
    """The storage ``STORAGE_URL`` names: ``file:///dir`` (or a plain path) or ``s3://bucket/p``."""
    url = config["STORAGE_URL"]
    parts = urlsplit(url)
    if parts.scheme == "s3":
        if not parts.netloc:
            raise ValueError("STORAGE_URL=s3://bucket/prefix needs a bucket")
        return S3Storage(parts.netloc, parts.path,
                         endpoint_url=config.get("STORAGE_ENDPOINT_URL"),
                         region_name=config.get("STORAGE_REGION"),
                         aws_access_key_id=config.get("STORAGE_ACCESS_KEY_ID"),
                         aws_secret_access_key=config.get("STORAGE_SECRET_ACCESS_KEY"))
    if parts.scheme in ("file", ""):
        return LocalStorage(parts.path if parts.scheme else url)
    raise ValueError(f"STORAGE_URL: unknown scheme {parts.scheme!r} (file:// or s3://)")


def storage() -> Storage:
    """The application's storage (built on first use from its config)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    found = app.extensions.get(EXTENSION)
    if found is None:
        found = app.extensions[EXTENSION] = from_config(app.config)
    return found


def init_app(app: Flask) -> None:
    app.config.setdefault("STORAGE_URL", "file://" + os.path.join(app.instance_path, "uploads"))
    app.extensions.pop(EXTENSION, None)
