"""Test pictures made with Pillow: a photo carrying camera and GPS metadata, a plain PNG."""

from __future__ import annotations

from io import BytesIO

from PIL import ExifTags, Image, ImageDraw

GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (51.0, 30.0, 12.5),
    ExifTags.GPS.GPSLongitudeRef: "W",
    ExifTags.GPS.GPSLongitude: (0.0, 7.0, 39.0),
}


def photo(width: int = 1000, height: int = 600, orientation: int = 1) -> bytes:
    """A JPEG like a newsroom photo: camera make, an orientation tag and the GPS position."""
    image = Image.new("RGB", (width, height), "#2d6a4f")
    draw = ImageDraw.Draw(image)
    for x in range(0, width, 40):
        draw.rectangle((x, 0, x + 20, height), fill=(x * 255 // width, 90, 160))
    draw.ellipse((width // 3, height // 4, width // 2, height * 3 // 4), fill="#fbfaf7")
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Newsroom Camera"
    exif[ExifTags.Base.Orientation] = orientation
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(GPS)
    out = BytesIO()
    image.save(out, "JPEG", quality=85, exif=exif.tobytes(), comment=b"shot at 51.50N 0.13W")
    return out.getvalue()


def chart(width: int = 700, height: int = 400) -> bytes:
    """A PNG with a text chunk (as editors' tools write them)."""
    from PIL import PngImagePlugin

    image = Image.new("RGB", (width, height), "#fbfaf7")
    draw = ImageDraw.Draw(image)
    for i, h in enumerate((120, 260, 190, 330)):
        draw.rectangle((60 + i * 150, height - h, 160 + i * 150, height - 20), fill="#b35900")
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Graphics desk, 51.50N 0.13W")
    out = BytesIO()
    image.save(out, "PNG", pnginfo=info)
    return out.getvalue()
