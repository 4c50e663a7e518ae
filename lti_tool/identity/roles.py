"""The one place that maps LTI roles to tool roles, by the map in configs/roles.toml."""

import tomllib
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache


class ToolRole(StrEnum):
    STUDENT = "student"
    TEST_MAKER = "test_maker"
    PROCTOR = "proctor"


# Which page a user lands on when they hold several roles: the most capable first.
PRECEDENCE = (ToolRole.TEST_MAKER, ToolRole.PROCTOR, ToolRole.STUDENT)

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
VOCABULARIES = {
    LIS + "membership": "context",
    LIS + "institution/person": "institution",
    LIS + "system/person": "system",
    "http://purl.imsglobal.org/vocab/lti/system/person": "lti_system",
}


class RoleMapError(ValueError):
    pass


@dataclass(frozen=True)
class LtiRole:
    kind: str  # context, institution, system, lti_system or unknown
    name: str  # principal role, e.g. "Instructor"
    sub: str | None = None  # sub-role, e.g. "TeachingAssistant"


def parse(role):
    """Split an LTI role (full URI or short context name) into kind, principal role, sub-role."""
    role = role.strip()
    if "://" not in role:
        return LtiRole("context", role)
    base, _, fragment = role.partition("#")
    if base in VOCABULARIES:
        return LtiRole(VOCABULARIES[base], fragment)
    # Sub-roles are written .../membership/Instructor#TeachingAssistant.
    parent, _, principal = base.rpartition("/")
    if parent == LIS + "membership" and principal and fragment:
        return LtiRole("context", principal, fragment)
    return LtiRole("unknown", role)


@dataclass(frozen=True)
class RoleMap:
    context: dict
    context_subroles: dict
    lti_system: dict
    institution: dict
    system: dict

    def tool_roles(self, lti_roles):
        """The tool roles these LTI roles grant, most capable first."""
        parsed = [parse(r) for r in lti_roles if isinstance(r, str)]
        granted = set()
        replaced = set()
        for role in parsed:
            if role.kind == "context" and role.sub:
                mapped = self.context_subroles.get(f"{role.name}#{role.sub}")
                if mapped:
                    granted.update(mapped)
                    replaced.add(role.name)
        for role in parsed:
            if role.kind == "context" and not role.sub and role.name not in replaced:
                granted.update(self.context.get(role.name, ()))
            elif role.kind in ("lti_system", "institution", "system"):
                granted.update(getattr(self, role.kind).get(role.name, ()))
        return [r for r in PRECEDENCE if r in granted]


def staffed(tool_roles, proctor_only):
    """The tool roles a launch grants once the course's own staffing applies: a person the test makers set to
    proctor only proctors where a launch would make them a test maker (Moodle launches non-editing teachers as
    Instructor)."""
    roles = [ToolRole(r) for r in tool_roles]
    if proctor_only and ToolRole.TEST_MAKER in roles:
        roles = [r for r in roles if r is not ToolRole.TEST_MAKER] + [ToolRole.PROCTOR]
    return [r for r in PRECEDENCE if r in roles]


def _as_set(value):
    if value is None:
        return set()
    return {ToolRole(v) for v in ([value] if isinstance(value, str) else value)}


def parse_map(data):
    sections = {name: dict(data.get(name, {})) for name in RoleMap.__dataclass_fields__}
    for section, entries in sections.items():
        for lti_role, tool_roles in entries.items():
            try:
                values = _as_set(tool_roles)
            except ValueError as exc:
                raise RoleMapError(f"[{section}] {lti_role}: {exc}") from exc
            if section in ("institution", "system") and ToolRole.TEST_MAKER in values:
                raise RoleMapError(
                    f"[{section}] {lti_role}: institution and system roles never grant test_maker"
                )
            entries[lti_role] = frozenset(values)
    return RoleMap(**sections)


@lru_cache(maxsize=8)
def load_map(path):
    with open(path, "rb") as fh:
        return parse_map(tomllib.load(fh))
