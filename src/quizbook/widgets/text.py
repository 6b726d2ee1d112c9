"""Plain text from the bundle's safe inline HTML (widget labels take text, not HTML)."""

from __future__ import annotations

from html.parser import HTMLParser


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return " ".join("".join(parser.parts).split())


def fmt(x: float) -> str:
    """Points as the browser shows them: rounded to two decimals, no trailing zeros."""
    value = round(x * 100) / 100
    return str(int(value)) if value == int(value) else f"{value:g}"
