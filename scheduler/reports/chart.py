"""The progress chart: the commune's household rate over time against the expected trajectory, as PNG.

matplotlib (Agg, no display) is imported only here and only when a chart is drawn."""

from __future__ import annotations

import io
from datetime import date


def progress_png(points: list[tuple[date, float, float]], title: str) -> bytes | None:
    """PNG bytes of the chart, or None when there is nothing to draw (no report yet)."""
    if not points:
        return None
    import matplotlib
    import numpy as np

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    days = np.array([d for d, _, _ in points], dtype="datetime64[D]")
    figure, axes = plt.subplots(figsize=(6.3, 3.0), dpi=150)
    try:
        axes.plot(
            days, [r * 100 for _, r, _ in points], marker="o", markersize=3, label="Thực tế (hộ đã cài)"
        )
        axes.plot(days, [e * 100 for _, _, e in points], linestyle="--", label="Kế hoạch")
        axes.set_ylim(0, 100)
        axes.set_ylabel("% số hộ")
        axes.set_title(title, fontsize=10)
        axes.grid(alpha=0.3)
        axes.legend(fontsize=8, loc="upper left")
        figure.autofmt_xdate()
        figure.tight_layout()
        out = io.BytesIO()
        figure.savefig(out, format="png")
        return out.getvalue()
    finally:
        plt.close(figure)
