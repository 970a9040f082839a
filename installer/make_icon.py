"""Draw the program icon (govis.ico with 16-256 px images, govis.png) from the bundled 黑体 font.

    python installer/make_icon.py      # writes desktop_app/resources/icons/govis.ico and govis.png

Run once when the icon changes; the files are committed, so a build needs no drawing."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ICONS = Path(__file__).resolve().parents[1] / "desktop_app" / "resources" / "icons"
FONT = ICONS.parent / "fonts" / "wqy-microhei.ttc"
BLUE, PALE = (31, 95, 168, 255), (219, 232, 247, 255)


def draw(size: int = 256) -> Image.Image:
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    pad = size // 16
    d.rounded_rectangle((pad, pad, size - pad, size - pad), radius=size // 6, fill=BLUE)
    # a ledger's header band, as in the toolbar's 台账 icon
    d.rectangle((pad * 3, pad * 3, size - pad * 3, pad * 5), fill=PALE)
    font = ImageFont.truetype(str(FONT), int(size * 0.55))
    d.text((size / 2, size * 0.6), "政", font=font, fill=PALE, anchor="mm")
    return img


if __name__ == "__main__":
    big = draw(256)
    big.save(ICONS / "govis.png")
    big.save(ICONS / "govis.ico", sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)])
    print(f"written {ICONS / 'govis.ico'}")
