"""Uploaded pictures are recognised by their content, resized, re-encoded and stripped of
metadata; anything else is refused with a reason."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from joren.tenants.meetups.public.images import MIN_SIDE, WIDTH, ImageError, prepare
from tests.tenants.meetups.public.pictures import picture

LIMIT = 8 * 1024 * 1024


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_jpeg_png_and_webp_become_a_1200px_jpeg(fmt):
    result = prepare(picture(fmt), LIMIT)
    image = Image.open(io.BytesIO(result.data))
    assert image.format == "JPEG"
    assert result.content_type == "image/jpeg"
    assert (image.width, image.height) == (result.width, result.height) == (WIDTH, 675)


def test_a_small_picture_keeps_its_size():
    result = prepare(picture("PNG", size=(640, 400)), LIMIT)
    assert (result.width, result.height) == (640, 400)


def test_metadata_is_stripped():
    original = picture("JPEG", exif=True)
    assert b"ExampleCam" in original
    result = prepare(original, LIMIT)
    assert b"ExampleCam" not in result.data
    image = Image.open(io.BytesIO(result.data))
    assert not image.getexif()
    assert "exif" not in image.info


def test_the_camera_orientation_is_applied_then_dropped():
    # Orientation 6: the camera was turned; the stored picture is upright and portrait.
    result = prepare(picture("JPEG", size=(800, 400), orientation=6), LIMIT)
    assert (result.width, result.height) == (400, 800)
    assert not Image.open(io.BytesIO(result.data)).getexif()


def test_transparent_png_is_laid_on_white():
    result = prepare(picture("PNG", size=(300, 300), mode="RGBA"), LIMIT)
    image = Image.open(io.BytesIO(result.data)).convert("RGB")
    assert image.mode == "RGB"
    assert image.getpixel((10, 10)) >= (250, 250, 250)


@pytest.mark.parametrize(("data", "code"), [
    (b"", "empty"),
    (b"GIF89a" + b"\0" * 100, "not_image"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "not_image"),
    (b"%PDF-1.4 not a picture", "not_image"),
])
def test_other_content_is_refused(data, code):
    with pytest.raises(ImageError) as refused:
        prepare(data, LIMIT)
    assert refused.value.code == code


def test_a_gif_named_jpg_is_refused_by_its_content():
    out = io.BytesIO()
    Image.new("RGB", (400, 400)).save(out, "GIF")
    with pytest.raises(ImageError) as refused:
        prepare(out.getvalue(), LIMIT)
    assert refused.value.code == "not_image"


def test_a_truncated_jpeg_is_refused():
    data = picture("JPEG")
    with pytest.raises(ImageError) as refused:
        prepare(data[: len(data) // 3], LIMIT)
    assert refused.value.code == "not_image"


def test_too_large_and_too_small_are_refused():
    with pytest.raises(ImageError) as refused:
        prepare(picture("JPEG"), 1000)
    assert refused.value.code == "too_large"
    with pytest.raises(ImageError) as refused:
        prepare(picture("PNG", size=(MIN_SIDE - 1, 500)), LIMIT)
    assert refused.value.code == "too_small"


def _png_header(width: int, height: int) -> bytes:
    """A PNG that claims a huge size in a few bytes (a decompression bomb's header)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))


def test_a_decompression_bomb_is_refused_before_it_is_decoded():
    with pytest.raises(ImageError) as refused:
        prepare(_png_header(30000, 30000), LIMIT)
    assert refused.value.code == "too_many_pixels"
