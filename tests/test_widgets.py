"""Live figures, Run-button experiments, controls and the fast renderer, driven without a browser."""

import base64
import io

import ipywidgets
import numpy as np
import pytest
from PIL import Image

from nncourse import style, widgets
from nncourse.rendering import Renderer, encode_png


def full_draw(fig):
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).copy()


def png_pixels(png):
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


# ---------------------------------------------------------------- controls and readouts

def test_slider_types_and_defaults():
    s = widgets.slider(3, 1, 10, description="units")
    assert isinstance(s, ipywidgets.IntSlider) and s.step == 1 and not s.continuous_update
    f = widgets.slider(1, 0, 2.5, 0.5)
    assert isinstance(f, ipywidgets.FloatSlider) and f.step == 0.5 and f.value == 1.0
    with pytest.raises(ValueError, match=r"value must lie in \[0, 1\], got 2"):
        widgets.slider(2, 0, 1)
    with pytest.raises(ValueError, match="slider: step must be > 0, got 0.0"):
        widgets.slider(0.5, 0.0, 1.0, 0.0)


def test_log_slider_range_in_exponents():
    s = widgets.log_slider(0.1, 0.001, 10.0, "sigma")
    assert isinstance(s, ipywidgets.FloatLogSlider)
    assert (s.min, s.max, s.base) == (-3.0, 1.0, 10.0)
    assert s.value == pytest.approx(0.1)
    with pytest.raises(ValueError, match="need 0 < min <= value <= max"):
        widgets.log_slider(0.0, 0.0, 1.0)


def test_dropdown_default_and_mapping():
    assert widgets.dropdown(["a", "b"]).value == "a"
    assert widgets.dropdown({"SGD": "sgd", "Adam": "adam"}, value="adam").value == "adam"


@pytest.mark.parametrize("control, text", [
    (widgets.slider(0.999, 0.9, 0.999, 0.001), "0.999"),      # not "1.00"
    (widgets.slider(0.9, 0.5, 0.99, 0.01), "0.90"),
    (widgets.slider(1.0, -5.0, 5.0, 0.25), "1.00"),
    (widgets.slider(7, 1, 10), "7"),
    (widgets.log_slider(1.78e-5, 1e-6, 1e-3, steps_per_decade=100), "1.78e-05"),  # not "0.0000178"
    (widgets.log_slider(0.001, 1e-4, 1.0), "0.001"),
    (widgets.dropdown(["SGD", "Adam"]), "SGD"),
])
def test_readouts_show_values_correctly(control, text):
    assert widgets.format_value(control) == text


def test_slider_readout_format_follows_the_step():
    assert widgets.slider(0.999, 0.9, 0.999, 0.001).readout_format == ".3f"
    assert widgets.slider(1.0, 0.0, 2.0, 0.25).readout_format == ".2f"


# ---------------------------------------------------------------- live figures

def make_live():
    x = np.linspace(0.0, 1.0, 11)
    fig, ax = widgets.subplots()
    (line,) = ax.plot(x, 0 * x)
    calls = []

    def tilt(slope=0.0, shift=0.0):
        calls.append((slope, shift))
        line.set_ydata(slope * x + shift)
        return f"slope {slope:.2f}"

    w = widgets.live(fig, tilt, slope=widgets.slider(0.0, -1.0, 1.0, 0.25, "slope"),
                     shift=widgets.slider(0.0, -1.0, 1.0, 0.5, "shift"))
    return w, line, calls


def test_live_updates_the_same_figure_in_place():
    w, line, calls = make_live()
    first = w.image.value
    assert calls == [(0.0, 0.0)] and first[:4] == b"\x89PNG"
    w.set(slope=0.5)
    assert calls[-1] == (0.5, 0.0)
    assert line.get_ydata()[-1] == 0.5 and list(w.figure.axes[0].lines) == [line]   # same artists
    assert w.image.value != first
    assert "slope 0.50" in w.readout.value
    assert len(w.timings) == 2 and all(t >= 0 for pair in w.timings for t in pair)
    assert w._labels["slope"].value == "0.50"


def test_live_sliders_update_while_dragged_and_readouts_replace_the_builtin_one():
    w, *_ = make_live()
    assert all(c.continuous_update and not c.readout for c in w.controls.values())


def test_live_picture_equals_a_full_redraw():
    w, *_ = make_live()
    for slope in (0.25, -0.75, 1.0):
        w.set(slope=slope)
        np.testing.assert_array_equal(png_pixels(w.image.value), full_draw(w.figure)[..., :3])
    assert w.renderer.blits >= 3 and w.renderer.full_draws == 1


def test_set_rejects_unknown_controls():
    w, *_ = make_live()
    with pytest.raises(ValueError, match=r"LiveFigure.set: no controls named \['tilt'\]"):
        w.set(tilt=1.0)


def test_live_needs_a_figure_and_a_function():
    fig, _ = widgets.subplots()
    with pytest.raises(TypeError, match="LiveFigure: callback must be a function, got int"):
        widgets.live(fig, 3)
    with pytest.raises(TypeError, match="LiveFigure: fig must be a matplotlib Figure, got str"):
        widgets.live("figure", lambda: None)


def test_errors_in_the_callback_show_under_the_figure_and_propagate():
    fig, _ = widgets.subplots()

    def broken(a=1):
        if a > 1:
            raise ValueError("a too large")

    w = widgets.live(fig, broken, a=widgets.slider(1, 0, 3))
    with pytest.raises(ValueError, match="a too large"):
        w.set(a=2)
    assert "ValueError: a too large" in w.readout.value


def test_show_if_shows_only_the_controls_of_the_current_choice():
    fig, _ = widgets.subplots()

    def nothing(optimiser="SGD", rho=0.9, beta2=0.999):
        return None

    w = widgets.live(fig, nothing, optimiser=widgets.dropdown(["SGD", "RMSprop", "Adam"]),
                     rho=widgets.slider(0.9, 0.5, 0.99, 0.01), beta2=widgets.slider(0.999, 0.9, 0.999, 0.001),
                     show_if={"rho": {"optimiser": "RMSprop"}, "beta2": {"optimiser": ["Adam"]}})
    assert w.visible_controls() == ["optimiser"]
    w.set(optimiser="RMSprop")
    assert w.visible_controls() == ["optimiser", "rho"]
    w.set(optimiser="Adam")
    assert w.visible_controls() == ["optimiser", "beta2"]
    with pytest.raises(ValueError, match="show_if names 'gamma', which is not a control"):
        widgets.live(fig, nothing, optimiser=widgets.dropdown(["SGD"]), show_if={"gamma": {"optimiser": "SGD"}})
    with pytest.raises(ValueError, match=r"show_if\['optimiser'\] depends on 'mode', which is not a control"):
        widgets.live(fig, nothing, optimiser=widgets.dropdown(["SGD"]), show_if={"optimiser": {"mode": 1}})


def test_display_bundle_has_the_widget_and_a_static_picture():
    w, *_ = make_live()
    data, metadata = w._repr_mimebundle_()
    assert data["application/vnd.jupyter.widget-view+json"]["model_id"] == w.model_id
    png = base64.b64decode(data["image/png"])
    height, width = png_pixels(png).shape[:2]
    assert metadata["image/png"] == {"width": width // 2, "height": height // 2}   # retina: shown at half
    assert metadata["image/png"]["width"] <= style.MAX_WIDTH_PX
    assert "tilt" in data["text/plain"]


def test_registry_lists_every_widget_in_order():
    w1, *_ = make_live()
    w2, *_ = make_live()
    found = widgets.registry()
    assert found.index(w1) < found.index(w2)
    assert {w.kind for w in (w1, w2)} == {"live"}


def test_subplots_refuses_a_figure_wider_than_the_notebook():
    with pytest.raises(ValueError, match="subplots: figure must be at most 9.68 inches wide"):
        widgets.subplots(figsize=(12.0, 3.0))


# ---------------------------------------------------------------- Run-button experiments

def make_experiment(run_now=True):
    fig, ax = widgets.subplots()
    (curve,) = ax.plot([], [])
    runs, reports = [], []

    def train(epochs=3, lr=0.1, progress=None):
        losses = []
        for k in range(epochs):
            losses.append(1.0 / (1 + lr * k))
            progress((k + 1) / epochs)
        curve.set_data(np.arange(1, epochs + 1), losses)
        ax.relim()
        ax.autoscale_view()
        runs.append((epochs, lr))
        return f"final loss {losses[-1]:.3f}"

    w = widgets.experiment(fig, train, run_now=run_now, epochs=widgets.slider(3, 1, 10),
                           lr=widgets.log_slider(0.1, 0.01, 1.0))
    w.progress.observe(lambda change: reports.append(change["new"]), names="value")
    return w, runs, reports


def test_experiment_runs_only_on_the_button_and_keeps_the_old_picture():
    w, runs, reports = make_experiment()
    assert runs == [(3, 0.1)] and w.kind == "run"
    picture = w.image.value
    w.set(epochs=5)
    assert runs == [(3, 0.1)] and w.image.value == picture       # nothing ran, old result kept
    assert "press Run" in w.status.value
    w.button.click()
    assert runs[-1] == (5, 0.1) and w.image.value != picture
    np.testing.assert_allclose(reports, [0.0, 0.2, 0.4, 0.6, 0.8, 1.0])           # 0 at the start, then per epoch
    assert w.progress.value == 1.0 and not w.button.disabled
    assert "final loss" in w.readout.value and w.status.value.startswith("done in")


def test_experiment_can_wait_for_the_first_press():
    w, runs, _ = make_experiment(run_now=False)
    assert runs == [] and w.image.value == b""
    w.run()
    assert runs == [(3, 0.1)]


# ---------------------------------------------------------------- renderer

def test_renderer_blits_exactly_what_a_full_draw_shows():
    fig, axes = widgets.subplots(1, 2)
    x = np.linspace(0, 1, 20)
    (line,) = axes[0].plot(x, x, label="line")
    axes[0].legend(loc="upper left")
    title = axes[0].set_title("start")
    image = axes[1].imshow(np.zeros((4, 4)), vmin=0, vmax=1)
    points = axes[1].scatter([0, 1], [1, 2], zorder=3)
    fig.colorbar(image, ax=axes[1])
    renderer = Renderer(fig)
    renderer.render()
    rng = np.random.default_rng(0)
    for k in range(4):
        line.set_ydata(x * k)
        title.set_text(f"step {k}")
        image.set_data(rng.random((4, 4)))
        points.set_offsets(rng.random((2, 2)))
        fast = renderer.render().copy()
        np.testing.assert_array_equal(fast, full_draw(fig))
    assert renderer.blits == 4 and renderer.full_draws == 1


def test_renderer_draws_in_full_when_limits_or_artists_change():
    fig, ax = widgets.subplots()
    (line,) = ax.plot([0, 1], [0, 1])
    renderer = Renderer(fig)
    renderer.render()
    ax.set_ylim(0, 2)
    np.testing.assert_array_equal(renderer.render().copy(), full_draw(fig))
    ax.plot([0, 1], [1, 0])
    np.testing.assert_array_equal(renderer.render().copy(), full_draw(fig))
    assert renderer.full_draws == 3 and renderer.blits == 0
    line.set_visible(False)                       # hiding (or showing) an artist redraws it only
    np.testing.assert_array_equal(renderer.render().copy(), full_draw(fig))
    line.set_visible(True)
    np.testing.assert_array_equal(renderer.render().copy(), full_draw(fig))
    assert renderer.full_draws == 3 and renderer.blits == 2


def test_renderer_blits_new_limits_of_an_axes_without_ticks_only():
    fig, (bare, ticked) = widgets.subplots(1, 2)
    image = bare.imshow(np.arange(9.0).reshape(3, 3), zorder=0.6)
    (dots,) = bare.plot([0, 1], [0, 1], "o")
    bare.set(xticks=[], yticks=[], xlabel="column")
    ticked.plot([0, 1], [0, 1])
    renderer = Renderer(fig)
    renderer.render()
    for size in (5, 2, 4):                       # a bigger, then a smaller grid: only its artists move
        image.set_data(np.arange(size * size, dtype=float).reshape(size, size))
        image.set_extent((-0.5, size - 0.5, size - 0.5, -0.5))
        bare.set(xlim=(-0.5, size - 0.5), ylim=(size - 0.5, -0.5))
        dots.set_data([0, size - 1], [0, size - 1])
        np.testing.assert_array_equal(renderer.render().copy(), full_draw(fig))
    assert renderer.full_draws == 1 and renderer.blits == 3
    ticked.set_xlim(0, 2)                          # tick labels follow: a full draw
    np.testing.assert_array_equal(renderer.render().copy(), full_draw(fig))
    assert renderer.full_draws == 2


def test_fast_png_is_lossless():
    rgba = np.random.default_rng(1).integers(0, 256, size=(7, 5, 4), dtype=np.uint8)
    for small in (False, True):
        np.testing.assert_array_equal(png_pixels(encode_png(rgba, small=small)), rgba[..., :3])


def test_renderer_blits_axes_without_axis_and_never_draws_their_spines():
    fig, (ax, text_ax) = widgets.subplots(1, 2)
    (line,) = ax.plot([0, 1], [0, 1])
    text_ax.set_axis_off()
    label = text_ax.text(0.1, 0.5, "start")
    renderer = Renderer(fig)
    renderer.render()
    for k in range(3):
        label.set_text(f"step {k}")
        line.set_ydata([0, k])
        if k == 0:
            ax.set_ylim(-0.5, 2.5)       # one full draw, then blits
        np.testing.assert_array_equal(renderer.render().copy(), full_draw(fig))
    assert renderer.blits == 2


def test_first_frame_keeps_titles_inside_the_figure_with_square_panels():
    # Square (equal-aspect) panels in a wide, short figure: constrained layout needs a second pass
    # before the titles sit where they are drawn; the first frame used to cut them off at the top.
    fig, axes = widgets.subplots(1, 3, figsize=(7.8, 2.7))
    for ax, n in zip(axes, (5, 3, 3)):
        ax.pcolormesh(np.arange(n + 1) - 0.5, np.arange(n + 1) - 0.5, np.zeros((n, n)))
        ax.set_xticks(range(n))
        ax.set_yticks(range(n))
        ax.set_aspect("equal")
        ax.set_xlim(-0.6, n - 0.4)
        ax.set_ylim(n - 0.4, -0.6)
        ax.set_xlabel("column")
        ax.set_ylabel("row")
        ax.set_title(f"a title over the {n} x {n} grid")
    Renderer(fig).render()
    renderer = fig.canvas.get_renderer()
    for ax in axes:
        box = ax.title.get_window_extent(renderer)
        assert box.y1 <= fig.bbox.y1, f"title cut off: top {box.y1:.0f} px > figure {fig.bbox.y1:.0f} px"
