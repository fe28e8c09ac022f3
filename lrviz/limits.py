"""Every size, depth, count and name lrviz enforces or writes, in one place.

Parsers, the share link, the uploader, the CLI and the page import these; a limit that two of
them enforce is one constant here, so they cannot disagree.
"""

from __future__ import annotations

# Schedule arguments
MAX_STEPS = 10**12
"""Largest step count (decay_steps, ranges, the CLI's --steps): beyond it float32 says little."""
MAX_NAME_CHARS = 200
MAX_LIST_ITEMS = 1000
"""Longest `boundaries` / `values` list of a PiecewiseConstantDecay."""
INT32_MAX = 2**31 - 1
"""Keras computes with an integer learning rate in int32, and with boundaries as int32 tensors."""

# Keras config text (paste, upload, CLI, share link)
MAX_TEXT_BYTES = 1024 * 1024
"""Largest JSON or Python-literal text, in UTF-8 bytes, on every path."""
MAX_SCHEDULE_DEPTH = 8
"""Deepest nesting of a schedule config or a list of them."""
MAX_CONFIGS = 32
"""Most configurations open at once (a JSON list, a share link, the studio)."""

# Keras files and containers (lrviz.keras_import)
MAX_ARCHIVE_BYTES = 200 * 1000 * 1000
"""A .keras file: what the uploader takes (`server.maxUploadSize` = 200 in .streamlit/config.toml,
which the browser counts in 1000- or 1024-byte units depending on the platform: the smaller one)."""
MAX_ARCHIVE_MEMBERS = 1000
MAX_MODEL_CONFIG_BYTES = 16 * 1024 * 1024
"""`config.json` inside a .keras file (real ones: ~0.2 MB)."""
MAX_DOCUMENT_DEPTH = 64
"""A model's config.json nests ~12 deep; a schedule inside it stays within MAX_SCHEDULE_DEPTH."""

# Share links
MAX_LINK_CHARS = 100_000
MAX_VIEW_CHARS = 200

# Translations (lrviz.translate)
DEFAULT_RESTART_CYCLES = 10
"""Restart cycles the optax and transformers translations cover when total_steps is not given."""
MAX_SGDR_CYCLES = 1000
"""Most cycles the optax sgdr_schedule snippet lists, whatever total_steps asks for."""
MAX_CHECKED_RESTARTS = 2**16
# A compiled path's settled value this far from eager Keras's, relative to the curve's scale, is
# worth a finding (a few ulp are not); a suggested decay_steps keeps below it.
SETTLED_GAP = 1e-3
"""Most restarts whose position is checked against Keras's float32 arithmetic one by one."""

# Keras's serialization format
KERAS_MODULE = "keras.optimizers.schedules"
KERAS_TOP_LEVEL_KEYS = ("module", "class_name", "config", "registered_name")
"""The keys of `keras.optimizers.schedules.serialize(...)`, in Keras's order."""

# Images
IMAGE_FORMATS = ("png", "svg", "pdf")
"""What `lrviz.export_image` (and the CLI) can write."""
PAGE_IMAGE_FORMATS = ("png", "svg")
"""What the page offers to download (PDF stays a CLI format)."""
