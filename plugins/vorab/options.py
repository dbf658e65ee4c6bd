"""Settings, MkDocs `config_options` style: each option checks its own value and says what it expected; all
problems of all settings are reported together, in the format of content problems, at the line of the
settings file that sets the value (`pelicanconf.py:42: GATE_HOSTING: expected one of …, found 'iis'`).

Capabilities declare their options with `hooks.options({...})`; the validation checks every setting, and the
build and each Pelican run fill in the defaults of the ones a project does not set.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import ContentProblem
from .messages import N_, _


class OptionError(ValueError):
    """A setting's value is not what its option expects."""

    def __init__(self, expected: str) -> None:
        super().__init__(expected)
        self.expected = expected


Default = Callable[[Mapping[str, Any]], Any]  # a default that depends on other settings


class Option:
    """One setting: its default (a value, or a function of the other settings) and its check. `expected` is
    marked for the catalogue and shown in the language of messages (`description`)."""

    expected = N_("a value")

    def __init__(self, default: Any = None, *, required: bool = False) -> None:
        self.default = default
        self.required = required

    def default_for(self, settings: Mapping[str, Any]) -> Any:
        return self.default(settings) if callable(self.default) else self.default

    def description(self) -> str:
        """What the option expects, for messages."""
        return _(self.expected)

    def validate(self, value: Any) -> Any:
        """The value as the build uses it, or OptionError. An option without a default may be left unset."""
        if value is None and self.default is None and not self.required:
            return value
        if not self.accepts(value):
            raise OptionError(self.description())
        return value

    def accepts(self, value: Any) -> bool:
        return True


class Text(Option):
    expected = N_("text")

    def accepts(self, value: Any) -> bool:
        return isinstance(value, str) and (bool(value.strip()) or not self.required)


class Pattern(Text):
    """Text of one form, e.g. a path that cannot break out of a server configuration's directive. `expected`:
    a string marked with N_."""

    def __init__(self, pattern: str, expected: str, default: Any = None, *, required: bool = False) -> None:
        super().__init__(default, required=required)
        self.pattern = re.compile(pattern, re.ASCII)
        self.expected = expected

    def accepts(self, value: Any) -> bool:
        return isinstance(value, str) and bool(self.pattern.fullmatch(value))


class Url(Pattern):
    def __init__(self, default: Any = None, *, schemes: Sequence[str] = ("https",), path: bool = False,
                 required: bool = False) -> None:
        pattern = rf"(?:{'|'.join(schemes)})://[\w.-]+(?::\d+)?" + (r"/[\w./%~+-]*" if path else r"(?:/[^\s]*)?")
        super().__init__(pattern, N_("an absolute {schemes} URL with a path") if path else
                         N_("an absolute {schemes} URL"), default, required=required)
        self.schemes = tuple(schemes)

    def description(self) -> str:
        return _(self.expected).format(schemes=_(" or ").join(f"{scheme}://" for scheme in self.schemes))


class Choice(Option):
    def __init__(self, choices: Iterable[str], default: Any = None, *, optional: bool = False) -> None:
        super().__init__(default)
        self.choices = tuple(choices)
        self.optional = optional

    def description(self) -> str:
        choices = ", ".join(self.choices)
        shown = _("one of {choices} (or no setting)") if self.optional else _("one of {choices}")
        return shown.format(choices=choices)

    def accepts(self, value: Any) -> bool:
        return value in self.choices or (self.optional and value is None)


class Integer(Option):
    def __init__(self, default: Any = None, *, minimum: int | None = None) -> None:
        super().__init__(default)
        self.minimum = minimum

    def description(self) -> str:
        if self.minimum is None:
            return _("a whole number")
        return _("a whole number of at least {minimum}").format(minimum=self.minimum)

    def accepts(self, value: Any) -> bool:
        whole = isinstance(value, int) and not isinstance(value, bool)
        return whole and (self.minimum is None or value >= self.minimum)


class Number(Option):
    expected = N_("a number of at least 0")

    def accepts(self, value: Any) -> bool:
        return isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0


class ListOf(Option):
    """A list (or tuple) whose every element the `item` option accepts."""

    def __init__(self, item: Option, default: Any = (), *, subset_of: Iterable[str] | None = None) -> None:
        super().__init__(default)
        self.item = item
        self.subset = tuple(subset_of) if subset_of is not None else None

    def description(self) -> str:
        if self.subset is not None:
            return _("a list of some of {choices}").format(choices=", ".join(self.subset))
        return _("a list, each {item}").format(item=self.item.description())

    def accepts(self, value: Any) -> bool:
        if not isinstance(value, (list, tuple)):
            return False
        if self.subset is not None:
            return all(element in self.subset for element in value)
        return all(self.item.accepts(element) for element in value)


class TimeZone(Text):
    expected = N_("an IANA time zone (e.g. Europe/Berlin)")

    def accepts(self, value: Any) -> bool:
        try:
            return isinstance(value, str) and bool(ZoneInfo(value))
        except (ZoneInfoNotFoundError, ValueError):
            return False


class Email(Pattern):
    def __init__(self, default: Any = None, *, required: bool = False) -> None:
        super().__init__(r"[^@\s]+@[^@\s]+\.[^@\s]+", N_("an e-mail address"), default, required=required)


class Slug(Pattern):
    def __init__(self, default: Any = None) -> None:
        super().__init__(r"[a-z0-9]+(?:-[a-z0-9]+)*", N_("a slug of lower-case letters, digits and hyphens"), default)


EMAIL, SLUG = Email(), Slug()  # for the elements of a ListOf


def fill_defaults(settings: dict[str, Any], schema: Mapping[str, Option]) -> None:
    """Give every option the project does not set its default (in the order of `schema`)."""
    for name, option in schema.items():
        if name not in settings:
            settings[name] = option.default_for(settings)


def option_problems(settings: Mapping[str, Any], schema: Mapping[str, Option],
                    settings_file: Path) -> list[ContentProblem]:
    """Every setting of `schema` that its option refuses, at the line of the file that sets it. A default is not
    checked unless the option is required: a default that follows another setting (a certificate path from the
    host name) is wrong only where that setting is, and that is reported."""
    lines = setting_lines(settings_file)
    problems = []
    for name, option in schema.items():
        value = settings.get(name)
        if not option.required and name not in lines and value == option.default_for(settings):
            continue
        try:
            option.validate(value)
        except OptionError as error:
            path, line = lines.get(name, (settings_file.name, 1))
            shown = _("nothing") if value is None or value == "" else repr(value)
            problems.append(ContentProblem(path, line, name, error.expected, shown))
    return problems


def setting_lines(settings_file: Path) -> dict[str, tuple[str, int]]:
    """Setting name → (file name, line) of the assignment that sets it; a settings file that imports another
    with `from other import *` (as publishconf.py does) inherits that file's lines for what it does not set."""
    try:
        tree = ast.parse(settings_file.read_text(encoding="utf-8"))
    except (OSError, SyntaxError):
        return {}
    lines: dict[str, tuple[str, int]] = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and any(alias.name == "*" for alias in node.names):
            imported = settings_file.with_name(f"{node.module}.py")
            if imported.is_file() and imported != settings_file:
                lines.update(setting_lines(imported))
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] \
            if isinstance(node, ast.AnnAssign) else []
        for target in targets:
            for name in (element.id for element in ast.walk(target) if isinstance(element, ast.Name)):
                lines[name] = (settings_file.name, node.lineno)
    return lines
