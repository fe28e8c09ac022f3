"""The one exception every bad configuration raises."""

from __future__ import annotations


class ConfigError(ValueError):
    """A schedule configuration lrviz (or Keras) cannot use.

    The message is one line that names the field, what was received and what would be accepted,
    in the style of Keras's own checks.
    """
