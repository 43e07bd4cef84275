"""Fixtures for the public-page tests: a local S3 stand-in (moto's server in a thread, on
127.0.0.1, no network) and pictures stored through the app."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from moto.server import ThreadedMotoServer

from joren.platform import storage as storage_module
from joren.platform.storage import S3Storage

S3_OPTIONS = {"region_name": "us-east-1", "aws_access_key_id": "test-key",
              "aws_secret_access_key": "test-secret"}


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture()
def s3_bucket(s3_endpoint: str) -> str:
    """A fresh bucket on the stand-in."""
    name = f"joren-{uuid.uuid4().hex[:12]}"
    S3Storage(name, endpoint_url=s3_endpoint, **S3_OPTIONS).client.create_bucket(Bucket=name)
    return name


@pytest.fixture()
def s3_storage(s3_endpoint: str, s3_bucket: str) -> S3Storage:
    return S3Storage(s3_bucket, "uploads/", endpoint_url=s3_endpoint, **S3_OPTIONS)


@pytest.fixture()
def app_on_s3(app, s3_storage):  # type: ignore[no-untyped-def]
    """The app stores pictures in the S3 stand-in for this test."""
    before = app.extensions.get(storage_module.EXTENSION)
    app.extensions[storage_module.EXTENSION] = s3_storage
    yield s3_storage
    if before is None:
        app.extensions.pop(storage_module.EXTENSION, None)
    else:
        app.extensions[storage_module.EXTENSION] = before
