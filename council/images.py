"""Checking and re-encoding uploaded pictures, for every upload on the site.

Nothing is kept as uploaded: the picture is opened with Pillow, checked
against byte and pixel caps well below Pillow's own decompression-bomb limit,
turned upright, stripped of every piece of metadata (GPS included) by drawing
it into a new image, and saved as a fresh JPEG or PNG under a random name.
"""

import io
import uuid
import warnings
from dataclasses import dataclass

from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 2400  # the longest side kept; larger pictures are scaled down
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "MPO"}

MESSAGES = {
    "too_big": "The photo must be smaller than 10MB",
    "empty": "The selected file is empty",
    "not_image": "The selected file must be a JPG, PNG or WEBP photo",
    "format": "The selected file must be a JPG, PNG or WEBP photo",
    "too_many_pixels": "The photo is too large: it must be smaller than 40 megapixels",
    "broken": "The photo could not be read. It may be damaged: try saving it again or choose another",
    "animated": "The photo must be a still picture, not an animation",
}


class ImageRejected(ValueError):
    def __init__(self, code: str):
        super().__init__(MESSAGES[code])
        self.code = code


@dataclass
class CleanImage:
    file: ContentFile
    width: int
    height: int
    content_type: str


def image_clean(upload, *, max_side: int = MAX_SIDE) -> CleanImage:
    """Check an uploaded picture and return a clean copy, or raise ImageRejected."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ImageRejected("too_big")
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ImageRejected("too_big")
    if not data:
        raise ImageRejected("empty")

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in ALLOWED_FORMATS:
                    raise ImageRejected("format")
                width, height = probe.size
                if width * height > MAX_PIXELS:
                    raise ImageRejected("too_many_pixels")
                if getattr(probe, "n_frames", 1) > 1 and probe.format != "MPO":
                    raise ImageRejected("animated")
                probe.verify()
            with Image.open(io.BytesIO(data)) as picture:
                picture.load()
                picture = ImageOps.exif_transpose(picture)
                cleaned = _redraw(picture)
        except ImageRejected:
            raise
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise ImageRejected("too_many_pixels") from None
        except UnidentifiedImageError:
            raise ImageRejected("not_image") from None
        except (OSError, SyntaxError, ValueError, EOFError):
            raise ImageRejected("broken") from None

    cleaned.thumbnail((max_side, max_side))
    out = io.BytesIO()
    if cleaned.mode == "RGBA":
        cleaned.save(out, format="PNG", optimize=True)
        extension, content_type = "png", "image/png"
    else:
        cleaned.save(out, format="JPEG", quality=85, optimize=True, progressive=True)
        extension, content_type = "jpg", "image/jpeg"
    return CleanImage(
        file=ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.{extension}"),
        width=cleaned.width,
        height=cleaned.height,
        content_type=content_type,
    )


def _redraw(picture: Image.Image) -> Image.Image:
    """A new image with only the pixels: no EXIF, GPS, ICC or comments survive."""
    has_alpha = picture.mode in ("RGBA", "LA", "PA") or (
        picture.mode == "P" and "transparency" in picture.info
    )
    if picture.mode == "CMYK":
        picture = picture.convert("RGB")
    target = "RGBA" if has_alpha else "RGB"
    converted = picture.convert(target)
    clean = Image.new(target, converted.size)
    clean.paste(converted)
    return clean
