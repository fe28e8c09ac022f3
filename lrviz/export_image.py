"""Static images (PNG, SVG, PDF) of Plotly figures, drawn by plotly.io through kaleido.

kaleido 1.x drives a local Chromium over the DevTools protocol (via `choreographer`): it finds
Debian's /usr/bin/chromium on PATH, or the browser named by $BROWSER_PATH, and starts it headless
without the sandbox, so it works as root. kaleido is an optional extra (`pip install lrviz[image]`),
imported only when an image is asked for: the app and HTML export never need it.
"""

from __future__ import annotations

import time

import plotly.graph_objects as go

from lrviz.limits import IMAGE_FORMATS

# Tries before an image counts as impossible (see `figure_image`).
IMAGE_ATTEMPTS = 3
# Seconds to wait before the n-th retry (times n): a loaded machine needs its page a moment longer.
IMAGE_RETRY_WAIT_S = 0.5
INSTALL_HINT = (
    "PNG/SVG export needs `pip install lrviz[image]` and chromium "
    "(Debian: apt-get install chromium; or set BROWSER_PATH to a Chrome/Chromium binary)"
)


class ImageExportUnavailable(Exception):
    """kaleido is missing (`detail` None), or it could not start or use a browser (`detail`
    names the error: its type and first line)."""

    def __init__(self, message: str, detail: str | None = None) -> None:
        super().__init__(message)
        self.detail = detail


def figure_image(
    fig: go.Figure, image_format: str, *, width: int, height: int, scale: float = 2
) -> bytes:
    """`fig` as PNG, SVG or PDF bytes, `width` x `height` layout pixels (PNG: times `scale`)."""
    if image_format not in IMAGE_FORMATS:
        raise ValueError(
            f"image_format must be one of {', '.join(IMAGE_FORMATS)}: {image_format!r}"
        )
    try:
        import kaleido.errors
    except ImportError:
        raise ImageExportUnavailable(f"{INSTALL_HINT}.") from None
    import plotly.io as pio

    failure: Exception = RuntimeError()
    # More tries: on a busy machine kaleido's page can now and then be asked for the image
    # before its script has loaded ("ReferenceError: kaleido_scopes is not defined"; seen twice
    # in a row at load 12 on 2 cores).
    for attempt in range(IMAGE_ATTEMPTS):
        time.sleep(attempt * IMAGE_RETRY_WAIT_S)
        try:
            return pio.to_image(
                fig,
                format=image_format,
                width=width,
                height=height,
                scale=scale if image_format == "png" else 1,
            )
        except (RuntimeError, OSError, kaleido.errors.KaleidoError) as err:
            failure = err
    # plotly turns "no browser found" into a RuntimeError of many lines; keep the first one.
    reason = next((line.strip() for line in str(failure).splitlines() if line.strip()), "")
    detail = f"{type(failure).__name__}: {reason}" if reason else type(failure).__name__
    raise ImageExportUnavailable(
        f"{INSTALL_HINT}; kaleido found no working browser ({detail}).", detail
    ) from None
