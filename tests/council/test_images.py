"""Uploaded pictures: every bad kind gets a clear message; good ones come out clean."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from council.images import MESSAGES, ImageRejected, image_clean
from tests.nominations.images import animated_gif_bytes, bomb_png_bytes, jpeg_bytes, png_bytes


def upload(data: bytes, name="photo.jpg"):
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"", "empty.jpg", "empty"),
        (b"%PDF-1.7 not a picture at all", "cv.jpg", "not_image"),
        (b"MZ\x90\x00 a program pretending", "photo.png", "not_image"),
        (jpeg_bytes()[:200], "truncated.jpg", "broken"),
        (animated_gif_bytes(), "moving.gif", "animated"),
        (bomb_png_bytes(), "bomb.png", "too_many_pixels"),
        (b"\xff\xd8" + b"\x00" * (10 * 1024 * 1024 + 10), "huge.jpg", "too_big"),
    ],
)
def test_bad_uploads_are_refused_with_a_clear_message(data, name, code):
    with pytest.raises(ImageRejected) as error:
        image_clean(upload(data, name))
    assert error.value.code == code
    assert str(error.value) == MESSAGES[code]


def test_a_bmp_is_refused_as_a_format_we_do_not_take():
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="BMP")
    with pytest.raises(ImageRejected) as error:
        image_clean(upload(out.getvalue(), "photo.bmp"))
    assert error.value.code == "format"


def test_gps_and_camera_details_are_stripped():
    clean = image_clean(upload(jpeg_bytes(gps=True)))
    with Image.open(io.BytesIO(clean.file.read())) as picture:
        assert picture.format == "JPEG"
        assert len(picture.getexif()) == 0
        assert "icc_profile" not in picture.info


def test_a_cmyk_jpeg_comes_out_as_rgb():
    clean = image_clean(upload(jpeg_bytes(mode="CMYK")))
    with Image.open(io.BytesIO(clean.file.read())) as picture:
        assert picture.mode == "RGB"


def test_transparency_is_kept_as_png_and_large_pictures_are_scaled_down():
    clean = image_clean(upload(png_bytes(size=(3000, 1500)), "logo.png"))
    assert clean.content_type == "image/png"
    assert (clean.width, clean.height) == (2400, 1200)


def test_the_stored_name_is_random_and_never_the_uploaders():
    first = image_clean(upload(jpeg_bytes(), "../../etc/passwd.jpg"))
    second = image_clean(upload(jpeg_bytes(), "../../etc/passwd.jpg"))
    assert first.file.name != second.file.name
    assert "passwd" not in first.file.name and "/" not in first.file.name
