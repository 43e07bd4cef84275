"""Uploaded pictures: recognised by their content (JPEG, PNG or WebP only), turned upright,
resized to a share-card width and re-encoded as JPEG, which drops every piece of metadata
(camera, GPS position, comments) the original carried."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

FORMATS = ("JPEG", "PNG", "WEBP")
WIDTH = 1200  # Open Graph cards are drawn 1200 px wide (1.91:1); phones need no more
MIN_SIDE = 200  # LINE and Facebook ignore smaller pictures
MAX_PIXELS = 40_000_000  # a 40-megapixel picture is a photo; more is a decompression bomb
QUALITY = 85
CONTENT_TYPE = "image/jpeg"


class ImageError(ValueError):
    """Why an upload was refused: ``code`` is one of ``empty``, ``too_large``, ``not_image``,
    ``too_small``, ``too_many_pixels``."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class PreparedImage:
    data: bytes
    width: int
    height: int
    content_type: str = CONTENT_TYPE
    extension: str = "jpg"


def prepare(data: bytes, max_bytes: int) -> PreparedImage:
    """The picture to store, or ImageError."""
    if not data:
        raise ImageError("empty")
    if len(data) > max_bytes:
        raise ImageError("too_large")
    image = _open(data)
    if min(image.size) < MIN_SIDE:
        raise ImageError("too_small")
    try:
        image = ImageOps.exif_transpose(image)
        image = _flatten(image)
        if image.width > WIDTH:
            image = image.resize((WIDTH, round(image.height * WIDTH / image.width)),
                                 Image.Resampling.LANCZOS)
        out = io.BytesIO()
        image.save(out, "JPEG", quality=QUALITY, optimize=True, progressive=True)
    except (OSError, ValueError, SyntaxError) as exc:  # a truncated or corrupt body
        raise ImageError("not_image") from exc
    return PreparedImage(out.getvalue(), image.width, image.height)


def _open(data: bytes) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=FORMATS)
            if image.width * image.height > MAX_PIXELS:
                raise ImageError("too_many_pixels")
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ImageError("too_many_pixels") from exc
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
            raise ImageError("not_image") from exc
    return image


def _flatten(image: Image.Image) -> Image.Image:
    """RGB for JPEG: transparency is laid on white, palettes and CMYK are converted."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB") if image.mode != "RGB" else image
