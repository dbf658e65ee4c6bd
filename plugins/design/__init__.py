"""The theme's shared design: tokens as CSS, German dates, translatable theme strings.

Templates get the filters `day`, `weekday_day`, `time`, `zone_name`, `iso`, the gettext function `_`, and
`DESIGN_TOKENS`. Each run writes `theme/css/tokens.css` from `tokens.json`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pelican import signals

from .locale import Formatter, translations
from .tokens import css_variables, load_tokens


def install_theme_helpers(generator: Any) -> None:
    settings = generator.settings
    env = generator.env
    env.install_gettext_translations(translations(settings["THEME"], settings["DEFAULT_LANG"]), newstyle=True)
    env.filters.update(Formatter(settings["DEFAULT_LANG"], settings["TIMEZONE"]).filters())
    env.globals["DESIGN_TOKENS"] = load_tokens(settings["THEME"])


def write_tokens_css(pelican: Any) -> None:
    target = Path(pelican.output_path) / "theme" / "css" / "tokens.css"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(css_variables(load_tokens(pelican.settings["THEME"])), encoding="utf-8")


def register() -> None:
    signals.generator_init.connect(install_theme_helpers)
    signals.finalized.connect(write_tokens_css)
