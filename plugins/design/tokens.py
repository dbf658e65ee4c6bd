"""Design tokens (`themes/member-area/tokens.json`): the one source of colours and fonts for site and e-mail."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

TOKENS_FILE = "tokens.json"


def load_tokens(theme_path: str | Path) -> dict[str, Any]:
    tokens: dict[str, Any] = json.loads((Path(theme_path) / TOKENS_FILE).read_text(encoding="utf-8"))
    return tokens


def css_variables(tokens: dict[str, Any]) -> str:
    """Render the tokens as CSS custom properties, with the dark palette under prefers-color-scheme."""

    def block(groups: dict[str, dict[str, str]]) -> str:
        return "".join(f"  --{group}-{name}: {value};\n" for group, values in groups.items()
                       for name, value in values.items())

    light = {"color": tokens["color"], "font": tokens["font"], "size": tokens["size"]}
    dark = {"color": tokens["color-dark"]}
    return (f"/* Generated from {TOKENS_FILE}; edit that file, not this one. */\n"
            f":root {{\n  color-scheme: light dark;\n{block(light)}}}\n"
            f"@media (prefers-color-scheme: dark) {{\n:root {{\n{block(dark)}}}\n}}\n")
