"""Pictures for the upload tests, made with Pillow in memory."""

from __future__ import annotations

import io

from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def picture(fmt: str = "JPEG", size: tuple[int, int] = (1600, 900), mode: str = "RGB",
            exif: bool = False, orientation: int | None = None) -> bytes:
    image = Image.new(mode, size, (200, 40, 40, 128)[: len(mode)] if mode != "P" else 3)
    # A white square in the top-left corner shows which way up the result is.
    image.paste((255, 255, 255, 255)[: len(mode)] if mode != "P" else 0, (0, 0, 100, 100))
    out = io.BytesIO()
    options = {}
    if exif or orientation:
        tags = Image.Exif()
        tags[0x010F] = "ExampleCam"  # Make
        tags[0x9286] = "secret comment"  # UserComment lives in the Exif IFD; Make is enough
        if exif:
            tags[GPS_IFD] = {1: "N", 2: (35.0, 41.0, 22.0)}
        if orientation:
            tags[ORIENTATION] = orientation
        options["exif"] = tags.tobytes()
    image.save(out, fmt, **options)
    return out.getvalue()
