"""Prompt templates in ``synth/claims/prompts/*.md`` (the top-level ``prompts/`` links there).

Each declares the variables it uses; they are checked when loaded.

A prompt file is Markdown with a small front matter block and one section per chat role::

    ---
    name: extract_claims
    variables: title, method_name, sentences
    ---
    ## system
    You extract claims …
    ## user
    Paper: {title} …

Template fields are Python ``str.format`` fields (literal braces are doubled: ``{{`` ``}}``). On load, a field
the file does not declare, or a declared variable no section uses, is a ``ConfigError`` naming the file; on
render, a missing or unexpected variable is too. So a typo in a prompt fails at load, not as a silently empty
slot in a request to a model.
"""

from __future__ import annotations

import hashlib
import re
import string
from dataclasses import dataclass
from pathlib import Path

from synth.core.errors import ConfigError

PROMPTS_DIR = Path(__file__).resolve().parent / "prompts"
ROLES = ("system", "user")


@dataclass(frozen=True)
class Prompt:
    """A validated prompt template."""

    name: str
    variables: frozenset[str]
    sections: dict[str, str]  # role → template
    path: Path
    digest: str  # sha256 of the file, for stage fingerprints

    def render(self, **values: object) -> list[dict[str, str]]:
        """Chat messages with every declared variable filled; missing or unknown variables raise ConfigError."""
        given = set(values)
        if missing := self.variables - given:
            raise ConfigError(f"prompt {self.path.name}: missing variable(s) {', '.join(sorted(missing))}")
        if extra := given - self.variables:
            raise ConfigError(f"prompt {self.path.name}: unknown variable(s) {', '.join(sorted(extra))}")
        return [{"role": role, "content": text.format(**values).strip()} for role, text in self.sections.items()]


def template_fields(template: str) -> set[str]:
    """The ``{field}`` names a ``str.format`` template uses (``{{`` is a literal brace)."""
    fields = set()
    try:
        for _, field, _, _ in string.Formatter().parse(template):
            if field is not None:
                if not re.fullmatch(r"[A-Za-z_]\w*", field):
                    raise ValueError(f"field {{{field}}} is not a plain name")
                fields.add(field)
    except ValueError as err:
        raise ConfigError(f"malformed template field: {err}") from None
    return fields


def parse_prompt(text: str, path: Path) -> Prompt:
    """Parse and validate one prompt file's text."""
    m = re.match(r"^---\s*\n(?P<meta>.*?)\n---\s*\n(?P<body>.*)$", text, re.S)
    if not m:
        raise ConfigError(f"prompt {path}: no front matter (a '---' block declaring name and variables)")
    meta: dict[str, str] = {}
    for line in m.group("meta").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, sep, value = line.partition(":")
            if not sep:
                raise ConfigError(f"prompt {path}: front matter line is not 'key: value': {line!r}")
            meta[key.strip()] = value.strip()
    if "variables" not in meta or "name" not in meta:
        raise ConfigError(f"prompt {path}: front matter must declare 'name' and 'variables'")
    declared = frozenset(v.strip() for v in meta["variables"].strip("[]").split(",") if v.strip())
    bad = [v for v in declared if not re.fullmatch(r"[A-Za-z_]\w*", v)]
    if bad:
        raise ConfigError(f"prompt {path}: invalid variable name(s) {', '.join(sorted(bad))}")
    sections: dict[str, str] = {}
    parts = re.split(r"^##\s+(\w+)\s*$", m.group("body"), flags=re.M)
    if parts[0].strip():
        raise ConfigError(f"prompt {path}: text before the first '## system' / '## user' section")
    for role, body in zip(parts[1::2], parts[2::2], strict=True):
        if role not in ROLES:
            raise ConfigError(f"prompt {path}: unknown section '## {role}' (expected {', '.join(ROLES)})")
        sections[role] = body
    if "user" not in sections:
        raise ConfigError(f"prompt {path}: no '## user' section")
    used: set[str] = set()
    for role, body in sections.items():
        try:
            used |= template_fields(body)
        except ConfigError as err:
            raise ConfigError(f"prompt {path} ({role}): {err}") from None
    if unknown := used - declared:
        raise ConfigError(f"prompt {path}: uses undeclared variable(s) {', '.join(sorted(unknown))}")
    if unused := declared - used:
        raise ConfigError(f"prompt {path}: declares variable(s) it never uses: {', '.join(sorted(unused))}")
    return Prompt(
        name=meta["name"], variables=declared, sections=sections, path=path, digest=hashlib.sha256(text.encode()).hexdigest()
    )


def load_prompt(name: str, directory: Path | None = None) -> Prompt:
    """Load ``<directory>/<name>.md`` (default: the bundled ``prompts/``), validated."""
    path = (directory or PROMPTS_DIR) / f"{name}.md"
    if not path.is_file():
        raise ConfigError(f"prompt file not found: {path}")
    return parse_prompt(path.read_text(encoding="utf-8"), path)


def load_all(directory: Path | None = None) -> dict[str, Prompt]:
    """Every prompt in ``directory`` (the bundled ones by default), each validated."""
    folder = directory or PROMPTS_DIR
    return {p.stem: load_prompt(p.stem, folder) for p in sorted(folder.glob("*.md"))}
