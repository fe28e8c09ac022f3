"""The parameter reference (docs/parameters.md), generated from the specs so it never drifts."""

from __future__ import annotations

from lrviz.engine import SCHEDULES, ParamSpec


def _default(param: ParamSpec) -> str:
    return "required" if param.required else f"`{param.default!r}`"


def parameters_markdown() -> str:
    """Markdown tables: every schedule's arguments with default, accepted values and help."""
    lines = [
        "# Schedule parameters",
        "",
        "Generated from the specs in `lrviz/engine/` by `python -m lrviz.docs`; do not edit by hand.",
        "",
    ]
    for spec in SCHEDULES.values():
        lines += [
            f"## {spec.class_name}",
            "",
            spec.summary,
            "",
            "| argument | default | accepted | slider | help |",
            "| --- | --- | --- | --- | --- |",
        ]
        for param in spec.params:
            accepted = param.bounds_text() + (" or None" if param.nullable else "")
            slider = (
                f"{param.slider_min:g} … {param.slider_max:g}{' (log)' if param.log else ''}"
                if param.slider_min is not None and param.slider_max is not None
                else "—"
            )
            help_text = param.help.replace("|", "\\|").replace("\n\n", " ")
            lines.append(
                f"| `{param.name}` | {_default(param)} | {accepted} | {slider} | {help_text} |"
            )
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(parameters_markdown(), end="")
