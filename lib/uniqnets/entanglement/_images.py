"""Images for the applications, made on the spot or shipped with matplotlib (nothing is downloaded).

Binary messages are drawn with matplotlib patches and rasterised on the Agg canvas;
grayscale photographs come from matplotlib's sample data, resized with Pillow.
"""

from __future__ import annotations

import numpy as np

from .._validate import check_choice, check_int, check_size

#: the photographs :func:`sample_image` knows
_SAMPLE_IMAGES = ("grace_hopper", "mri")
#: Agg refuses canvases with a side of 2**16 pixels or more
_MAX_RASTER = 2**16 - 1


def _raster(draw, size):
    """Rasterise ``draw(ax)`` on a size x size Agg canvas; True where ink."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(1, 1), dpi=size)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_axis_off()
    draw(ax)
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())
    return rgba[..., 0] < 128


def binary_messages(size: int = 50) -> dict:
    """Binary size x size messages drawn with matplotlib: cross, fish, airplane, laptop, letter.

    The paper's messages were 50 x 50 black-and-white pictures of dogs, laptops,
    airplanes, crosses and fish; these are drawn procedurally (patches and a glyph
    of the DejaVu font shipped with matplotlib) and rasterised on the Agg canvas.

    Parameters
    ----------
    size : int in 8..65535
        Side of the square pictures in pixels.

    Returns
    -------
    dict
        Name -> bool array (size, size), True for ink.

    References
    ----------
    Lai, Dong and Jin, Sec. VI (the messages).

    Examples
    --------
    >>> from uniqnets.entanglement import binary_messages
    >>> msgs = binary_messages(16)
    >>> sorted(msgs), msgs["cross"].shape, msgs["cross"].dtype
    (['airplane', 'cross', 'fish', 'laptop', 'letter'], (16, 16), dtype('bool'))
    """
    from matplotlib import patches

    size = check_int(size, "size", 8, _MAX_RASTER)
    check_size(5 * size * size, "size", itemsize=8)  # RGBA canvas and mask per picture
    ink = {"color": "black", "antialiased": False, "linewidth": 0}

    def cross(ax):
        ax.add_patch(patches.Rectangle((0.40, 0.12), 0.20, 0.76, **ink))
        ax.add_patch(patches.Rectangle((0.12, 0.40), 0.76, 0.20, **ink))

    def fish(ax):
        ax.add_patch(patches.Ellipse((0.45, 0.5), 0.6, 0.36, **ink))
        ax.add_patch(patches.Polygon([(0.70, 0.5), (0.92, 0.72), (0.92, 0.28)], **ink))
        ax.add_patch(patches.Circle((0.28, 0.55), 0.04, color="white", antialiased=False,
                                    linewidth=0))

    def airplane(ax):
        ax.add_patch(patches.Ellipse((0.5, 0.5), 0.14, 0.84, **ink))
        ax.add_patch(patches.Polygon([(0.5, 0.62), (0.06, 0.42), (0.06, 0.36), (0.5, 0.46),
                                      (0.94, 0.36), (0.94, 0.42)], **ink))
        ax.add_patch(patches.Polygon([(0.5, 0.22), (0.30, 0.10), (0.70, 0.10)], **ink))

    def laptop(ax):
        ax.add_patch(patches.Rectangle((0.2, 0.38), 0.6, 0.46, **ink))
        ax.add_patch(patches.Rectangle((0.26, 0.44), 0.48, 0.34, color="white",
                                       antialiased=False, linewidth=0))
        ax.add_patch(patches.Polygon([(0.2, 0.36), (0.8, 0.36), (0.94, 0.18), (0.06, 0.18)],
                                     **ink))

    def letter(ax):
        ax.text(0.5, 0.47, "A", ha="center", va="center", fontsize=0.9 * 72, fontweight="bold",
                family="DejaVu Sans", antialiased=False)

    shapes = {"cross": cross, "fish": fish, "airplane": airplane, "laptop": laptop,
              "letter": letter}
    return {name: _raster(draw, size) for name, draw in shapes.items()}


def sample_image(name: str = "grace_hopper", size: int = 50) -> np.ndarray:
    """A grayscale photograph shipped with matplotlib, cropped square and resized.

    Resized with Pillow's Lanczos filter.

    Parameters
    ----------
    name : {"grace_hopper", "mri"}
        The portrait ``grace_hopper.jpg`` or the 256 x 256 MRI slice ``s1045.ima.gz``.
    size : int >= 2
        Side of the square result in pixels.

    Returns
    -------
    numpy.ndarray, shape (size, size)
        Gray levels in [0, 1].

    Examples
    --------
    >>> from uniqnets.entanglement import sample_image
    >>> img = sample_image("mri", 32)
    >>> img.shape, bool(img.min() >= 0 and img.max() <= 1)
    ((32, 32), True)
    """
    name = check_choice(name, "name", _SAMPLE_IMAGES)
    size = check_int(size, "size", 2)
    # refused before Pillow starts: the resized float32 image and its float64 copies
    check_size(size * size, "size", itemsize=20)
    from matplotlib import cbook
    from PIL import Image

    if name == "grace_hopper":
        with cbook.get_sample_data("grace_hopper.jpg") as fh:
            img = Image.open(fh).convert("L")
            img.load()
        arr = np.asarray(img, dtype=float) / 255.0
    else:  # "mri"
        with cbook.get_sample_data("s1045.ima.gz") as fh:
            raw = np.frombuffer(fh.read(), np.uint16).reshape(256, 256)
        arr = raw.astype(float) / raw.max()
    h, w = arr.shape
    s = min(h, w)
    top, left = (h - s) // 2, (w - s) // 2
    arr = arr[top:top + s, left:left + s]
    img = Image.fromarray(arr.astype(np.float32), mode="F").resize((size, size),
                                                                   Image.Resampling.LANCZOS)
    return np.clip(np.asarray(img, dtype=float), 0.0, 1.0)
