"""The storage interface: a local directory and S3-compatible storage (moto's server)."""

from __future__ import annotations

import pytest

from joren.platform.config import load_config
from joren.platform.storage import LocalStorage, S3Storage, StorageError, from_config
from tests.tenants.meetups.public.conftest import S3_OPTIONS


def test_local_storage_puts_gets_and_deletes(tmp_path):
    store = LocalStorage(tmp_path)
    store.put("t1/series-3-abc.jpg", b"picture", "image/jpeg")
    found = store.get("t1/series-3-abc.jpg")
    assert found is not None
    assert (found.data, found.content_type) == (b"picture", "image/jpeg")
    assert (tmp_path / "t1" / "series-3-abc.jpg").read_bytes() == b"picture"
    store.delete("t1/series-3-abc.jpg")
    assert store.get("t1/series-3-abc.jpg") is None
    store.delete("t1/series-3-abc.jpg")  # deleting twice is no error


@pytest.mark.parametrize("key", ["../etc/passwd", "t1/../../x.jpg", "/abs.jpg", ".hidden",
                                 "t1/.x.jpg", "t1//x.jpg", "a\\b.jpg", "t1/x.jpg\0", ""])
def test_keys_cannot_leave_the_directory(tmp_path, key):
    store = LocalStorage(tmp_path / "uploads")
    with pytest.raises(ValueError, match="not a storage key"):
        store.put(key, b"x", "image/jpeg")
    with pytest.raises(ValueError, match="not a storage key"):
        store.get(key)


def test_s3_storage_against_the_local_stand_in(s3_storage, s3_bucket):
    s3_storage.put("t7/meetup-1-xyz.jpg", b"\xff\xd8jpeg", "image/jpeg")
    raw = s3_storage.client.get_object(Bucket=s3_bucket, Key="uploads/t7/meetup-1-xyz.jpg")
    assert raw["ContentType"] == "image/jpeg"
    found = s3_storage.get("t7/meetup-1-xyz.jpg")
    assert found is not None
    assert (found.data, found.content_type) == (b"\xff\xd8jpeg", "image/jpeg")
    assert s3_storage.get("t7/other.jpg") is None
    s3_storage.delete("t7/meetup-1-xyz.jpg")
    assert s3_storage.get("t7/meetup-1-xyz.jpg") is None


def test_an_unreachable_bucket_raises_storage_error(s3_endpoint):
    store = S3Storage("no-such-bucket", endpoint_url=s3_endpoint, **S3_OPTIONS)
    with pytest.raises(StorageError):
        store.put("t1/x.jpg", b"x", "image/jpeg")


def test_storage_url_chooses_the_storage(tmp_path, s3_endpoint, s3_bucket):
    local = from_config({"STORAGE_URL": f"file://{tmp_path}"})
    assert isinstance(local, LocalStorage)
    assert local.directory == tmp_path
    s3 = from_config({"STORAGE_URL": f"s3://{s3_bucket}/joren/images",
                      "STORAGE_ENDPOINT_URL": s3_endpoint, "STORAGE_REGION": "us-east-1",
                      "STORAGE_ACCESS_KEY_ID": "k", "STORAGE_SECRET_ACCESS_KEY": "s"})
    assert isinstance(s3, S3Storage)
    assert (s3.bucket, s3.prefix) == (s3_bucket, "joren/images/")
    s3.put("t1/a.jpg", b"a", "image/jpeg")
    stored = s3.client.get_object(Bucket=s3_bucket, Key="joren/images/t1/a.jpg")
    assert stored["Body"].read() == b"a"
    with pytest.raises(ValueError, match="unknown scheme"):
        from_config({"STORAGE_URL": "ftp://example.jp/x"})
    with pytest.raises(ValueError, match="needs a bucket"):
        from_config({"STORAGE_URL": "s3:///prefix"})


def test_the_environment_sets_the_storage(tmp_path):
    config = load_config(str(tmp_path), {"STORAGE_URL": "s3://pictures/joren",
                                         "STORAGE_ENDPOINT_URL": "http://127.0.0.1:9000",
                                         "UPLOAD_MAX_BYTES": "1048576"})
    assert config["STORAGE_URL"] == "s3://pictures/joren"
    assert config["STORAGE_ENDPOINT_URL"] == "http://127.0.0.1:9000"
    assert config["UPLOAD_MAX_BYTES"] == 1048576
    assert load_config(str(tmp_path), {})["STORAGE_URL"] == f"file://{tmp_path}/uploads"
