"""A PNG "photo of the paper" for a decoded ESC/POS job, drawn at printer resolution."""

from __future__ import annotations

import io
from typing import Final

import qrcode
from PIL import Image, ImageDraw, ImageFont

from printers.escpos_decode import (
    DecodedJob,
    PaperBarcode,
    PaperCut,
    PaperImage,
    PaperItem,
    PaperLine,
    PaperQR,
)
from printers.fonts import monospace_font

# Epson Font A is 12 x 24 dots, so 48 columns make the 576-dot line of an 80 mm head.
CELL_WIDTH: Final = 12
CELL_HEIGHT: Final = 24
MARGIN: Final = 16
_INK: Final = 0
_PAPER: Final = 255

FontType = ImageFont.FreeTypeFont | ImageFont.ImageFont


def _font(bold: bool) -> tuple[FontType, bool]:
    """Return a font and whether bold must be faked by drawing twice."""
    path = monospace_font(bold)
    if path is not None:
        return ImageFont.truetype(str(path), 20), False
    regular = monospace_font(False)
    if regular is not None:
        return ImageFont.truetype(str(regular), 20), bold
    return ImageFont.load_default(), bold


def _text_image(line: PaperLine) -> Image.Image:
    image = Image.new("L", (max(1, len(line.text)) * CELL_WIDTH, CELL_HEIGHT), _PAPER)
    draw = ImageDraw.Draw(image)
    index = 0
    for text, bold in line.spans or ((line.text, line.bold),):
        font, fake_bold = _font(bold)
        for char in text:
            x = index * CELL_WIDTH
            draw.text((x, 1), char, font=font, fill=_INK)
            if fake_bold:
                draw.text((x + 1, 1), char, font=font, fill=_INK)
            index += 1
    if line.underline:
        draw.line((0, CELL_HEIGHT - 2, image.width, CELL_HEIGHT - 2), fill=_INK, width=2)
    if line.width > 1 or line.height > 1:
        image = image.resize((image.width * line.width, image.height * line.height))
    return image


def _raster_image(item: PaperImage) -> Image.Image:
    image = Image.frombytes("1", (item.width, item.height), item.rows)
    # ESC/POS raster bits are 1 = black; Pillow's "1" mode has 1 = white.
    return Image.eval(image.convert("L"), lambda value: 255 - value)


def _qr_image(item: PaperQR) -> Image.Image:
    code = qrcode.QRCode(box_size=max(1, item.size), border=1)
    code.add_data(item.data)
    code.make(fit=True)
    image: Image.Image = code.make_image().get_image().convert("L")
    return image


def _label_image(label: str) -> Image.Image:
    return _text_image(PaperLine(label))


def _cut_image(item: PaperCut, width: int) -> Image.Image:
    image = Image.new("L", (width, CELL_HEIGHT), _PAPER)
    draw = ImageDraw.Draw(image)
    for x in range(0, width, 12):
        draw.line((x, CELL_HEIGHT // 2, x + 6, CELL_HEIGHT // 2), fill=_INK, width=2)
    font, _ = _font(False)
    label = " partial cut " if item.partial else " cut "
    draw.rectangle((4, 0, 4 + len(label) * CELL_WIDTH, CELL_HEIGHT), fill=_PAPER)
    draw.text((4, 1), label, font=font, fill=_INK)
    return image


def _item_image(item: PaperItem, width: int) -> tuple[Image.Image, str]:
    match item:
        case PaperLine(align=align):
            return _text_image(item), align
        case PaperImage(align=align):
            return _raster_image(item), align
        case PaperQR(align=align):
            return _qr_image(item), align
        case PaperBarcode(data=data, align=align):
            return _label_image(f"|||| {data} ||||"), align
        case PaperCut():
            return _cut_image(item, width), "left"
    raise TypeError(item)  # pragma: no cover


def paper_png(job: DecodedJob, columns: int = 48) -> bytes:
    """Draw the job as the printed paper roll ``columns`` Font A characters wide and return
    PNG bytes: text in a monospace font with sizes and alignment, raster images dot for
    dot, printer-drawn QR codes redrawn from their data, cuts as dashed lines."""
    width = columns * CELL_WIDTH
    pieces = [_item_image(item, width) for item in job.items]
    height = sum(piece.height for piece, _ in pieces) + 2 * MARGIN
    paper = Image.new("L", (width + 2 * MARGIN, max(height, CELL_HEIGHT)), _PAPER)
    y = MARGIN
    for piece, align in pieces:
        free = max(0, width - piece.width)
        x = MARGIN + {"center": free // 2, "right": free}.get(align, 0)
        paper.paste(piece.crop((0, 0, min(piece.width, width), piece.height)), (x, y))
        y += piece.height
    out = io.BytesIO()
    paper.save(out, format="PNG")
    return out.getvalue()
