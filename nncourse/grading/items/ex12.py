"""Visible tests for solutions/ex12_rbf_networks.ipynb (RBF features, k-means steps, XOR, the gradients of
an RBF network's output and prototypes, the width of a Gaussian unit, quizzes).

Conventions of the exercise: batches are rows, ``X`` is ``(N, D)``, prototypes or centres
are rows of ``centers`` ``(K, D)``; the RBF feature matrix ``Phi`` is ``(N, K)`` with
``Phi[n, j] = exp(-||x_n - z_j||^2 / (2 sigma^2))``; cluster labels are ints ``0..K-1``. Expected values
and recognised slips are stored numbers from ``solutions/references/ex12.py``; the prototypes a student
chooses for XOR are tried out with ``nnlib.rbf.gaussian_features``; the network gradients are compared
with stored central differences. "Use numpy only": every coding item is ``numpy_only``.
"""

import numpy as np

from nncourse.grading.feedback import (
    Item,
    as_array,
    expect_array,
    expect_callable,
    expect_close,
    expect_gradients,
    expect_shape,
    expect_tuple,
    expect_unchanged,
    fail,
    matches,
)
from nncourse.grading.quiz import quiz_item
from nncourse.grading.stored import numbers
from nnlib.rbf import gaussian_features

X_DEMO = np.array([[0.0, 0.0], [1.0, 0.5], [2.0, 2.0], [-1.0, 1.5], [0.5, -1.0]])
CENTERS_DEMO = np.array([[0.0, 0.0], [2.0, 1.5], [-1.0, 1.0]])
XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([-1.0, 1.0, 1.0, -1.0])


def _same(got, candidate):
    return matches(got, candidate, rtol=1e-6, atol=1e-9)


def check_features(rbf_features):
    """rbf_features(X, centers, sigma) -> Phi (N, K), with the usual slips named; then a one-point example."""
    expect_callable("rbf_features", rbf_features)
    stored = numbers("ex12-features")
    X, C, sigma = X_DEMO.copy(), CENTERS_DEMO.copy(), 0.8
    got = as_array("rbf_features(X, centers, sigma)", rbf_features(X, C, sigma))
    expect_unchanged("X", X, X_DEMO)
    expect_unchanged("centers", C, CENTERS_DEMO)
    what = "rbf_features(X, centers, 0.8) for 5 points and 3 centres"
    if got.shape == (3, 5):
        fail(f"{what}: wrong shape, expected (5, 3) = (points, centres), got (3, 5); "
             "row n must hold the features of point n")
    expect_shape(what, got, (5, 3))
    if _same(got, stored["without_2"]):
        fail(f"{what}: the factor 2 is missing; the exponent is -||x - z||^2 / (2 sigma^2)")
    if _same(got, stored["distance_not_squared"]):
        fail(f"{what}: you used the distance ||x - z||, but the exponent needs the squared distance")
    if _same(got, stored["sigma_not_squared"]):
        fail(f"{what}: you divided by 2 sigma instead of 2 sigma^2")
    if _same(got, stored["sign_flipped"]):
        fail(f"{what}: the sign of the exponent is flipped; features must be at most 1 (exp of minus something)")
    expect_array(what, got, stored["expected"])
    one = as_array("rbf_features", rbf_features(np.array([[1.0, 1.0]]), np.array([[1.0, 1.0], [0.0, 0.0]]), 1.0))
    expect_array("rbf_features([[1, 1]], centers [[1, 1], [0, 0]], sigma = 1) -- 1 at the prototype, "
                 "exp(-2 / 2) = 0.3679 at squared distance 2", one, np.array([[1.0, np.exp(-1.0)]]))


def check_assign(assign_clusters):
    """assign_clusters(X, centers) -> index of the nearest centre per row (ints)."""
    expect_callable("assign_clusters", assign_clusters)
    X, C = X_DEMO.copy(), CENTERS_DEMO.copy()
    got = assign_clusters(X, C)
    expect_unchanged("X", X, X_DEMO)
    expect_unchanged("centers", C, CENTERS_DEMO)
    labels = as_array("assign_clusters(X, centers)", got)
    what = "assign_clusters(X, centers) for 5 points and 3 centres"
    stored = numbers("ex12-assign")
    if labels.shape == (5, 3):
        fail(f"{what}: you returned the (5, 3) matrix of distances; return one label per point, "
             "the index of its nearest centre (np.argmin over the centres)")
    expect_shape(what, labels, (5,))
    if not np.all(labels == np.round(labels)):
        fail(f"{what}: labels must be whole numbers (centre indices), got {labels.tolist()}")
    expected = stored["nearest"]
    if np.array_equal(labels, stored["farthest"]):
        fail(f"{what}: you picked the farthest centre (argmax); each point joins its nearest centre (argmin)")
    if not np.array_equal(labels, expected):
        fail(f"{what}: expected labels {expected.tolist()}, got {labels.astype(int).tolist()}")


def check_update(update_centers):
    """update_centers(X, labels, centers) -> the mean of each cluster; empty clusters stay put."""
    expect_callable("update_centers", update_centers)
    X = X_DEMO.copy()
    labels = np.array([0, 0, 1, 2, 0])
    C = CENTERS_DEMO.copy()
    labels_copy = labels.copy()
    got = update_centers(X, labels, C)
    expect_unchanged("X", X, X_DEMO)
    expect_unchanged("labels", labels, labels_copy)
    expect_unchanged("centers (return new centres instead of changing the old ones)", C, CENTERS_DEMO)
    what = "update_centers(X, labels = [0, 0, 1, 2, 0], centers)"
    new = expect_shape(what, got, (3, 2))
    stored = numbers("ex12-update")
    if _same(new, stored["sums"]):
        fail(f"{what}: centre 0 is the sum of its 3 points; it must be their mean (divide by the cluster size)")
    expect_array(what, new, stored["means"])
    empty = as_array("update_centers with an empty cluster",
                     update_centers(X_DEMO.copy(), np.array([0, 0, 0, 2, 0]), CENTERS_DEMO.copy()))
    expected = stored["with_empty_cluster"]
    expect_shape("update_centers(X, labels = [0, 0, 0, 2, 0], centers)", empty, (3, 2))
    if not np.all(np.isfinite(empty)):
        fail("update_centers(X, labels = [0, 0, 0, 2, 0], centers): centre 1 has no points and came out "
             "as NaN (the mean of nothing); keep its old position instead")
    expect_array("update_centers(X, labels = [0, 0, 0, 2, 0], centers): centre 1 has no points and must "
                 "stay where it was", empty, expected)


def check_xor(xor_rbf_parameters):
    """Prototypes, sigma and perceptron weights that classify XOR in the RBF feature space."""
    expect_callable("xor_rbf_parameters", xor_rbf_parameters)
    params = xor_rbf_parameters()
    if not isinstance(params, tuple) or len(params) != 4:
        fail("xor_rbf_parameters() should return the tuple (centers, sigma, w, b)")
    centers, sigma, w, b = params
    centers = as_array("centers", centers)
    if centers.ndim != 2 or centers.shape[1] != 2:
        fail(f"centers must have shape (J, 2), one prototype per row, got {centers.shape}")
    sigma = as_array("sigma", sigma)
    if sigma.size != 1 or not sigma.reshape(()) > 0:
        fail(f"sigma must be one positive number, got {sigma.tolist()}")
    sigma = float(sigma.reshape(()))
    w = expect_shape("w (one weight per prototype)", w, (centers.shape[0],))
    b = as_array("b", b)
    if b.size != 1:
        fail(f"b must be one number, got shape {b.shape}")
    Phi = gaussian_features(XOR_X, centers, sigma)  # (4, J), the student's prototypes
    out = np.where(Phi @ w + float(b.reshape(())) >= 0, 1.0, -1.0)
    if not np.array_equal(out, XOR_Y):
        fail(f"with your parameters sign(w . phi(x) + b) gives {out.astype(int).tolist()} for (0,0), (0,1), "
             f"(1,0), (1,1); XOR with labels -1/+1 needs {XOR_Y.astype(int).tolist()}. Compute phi for the "
             "four points by hand (see the lesson's table) and pick a line between the two classes")


Y_DEMO = np.array([1.0, -0.5, 2.0, 0.0, 0.5])
W_DEMO = np.array([0.8, -1.2, 0.5])
B_DEMO = 0.3


def check_output_gradient(rbf_gradients):
    """rbf_gradients(X, y, centers, sigma, w, b) -> (dw, db, dcenters) of L = sum_n (f(x_n) - y_n)^2 / (2N)."""
    expect_callable("rbf_gradients", rbf_gradients)
    stored = numbers("ex12-output-gradient")
    arrays = [X_DEMO.copy(), Y_DEMO.copy(), CENTERS_DEMO.copy(), W_DEMO.copy()]
    X, y, C, w = (a.copy() for a in arrays)
    what = "rbf_gradients(X (5, 2), y (5,), centers (3, 2), sigma = 0.8, w (3,), b = 0.3)"
    dw, db, dC = expect_tuple(what, rbf_gradients(X, y, C, 0.8, w, B_DEMO), ("dw", "db", "dcenters"))
    for name, array, original in zip(("X", "y", "centers", "w"), (X, y, C, w), arrays):
        expect_unchanged(name, array, original)
    dC = as_array(f"dcenters of {what}", dC)
    db = as_array(f"db of {what}", db)
    db = db.reshape(()) if db.size == 1 else db
    if dC.shape == (5, 3, 2):
        fail(f"dcenters of {what}: shape (5, 3, 2) holds one share per example; sum (and average) over the "
             "examples: one gradient per prototype, shape (3, 2)")
    slips = stored["slips"]
    if _same(dC, slips["dC_sigma_not_squared"]):
        fail(f"dcenters of {what}: you divided by sigma; the exponent -||x - z||^2 / (2 sigma^2) has the "
             "derivative (x - z) / sigma^2 with respect to z")
    if _same(dC, slips["dC_without_w"]):
        fail(f"dcenters of {what}: the output weight w_j is missing; prototype z_j acts on the output only "
             "through w_j phi_j(x)")
    if _same(dC, slips["dC_without_phi"]):
        fail(f"dcenters of {what}: the factor phi_j(x_n) is missing; the derivative of exp(u) is exp(u) itself")
    expect_gradients(what, {"dw": dw, "db": db, "dcenters": dC}, stored["numeric"], rtol=1e-5, atol=1e-8,
                     batch_size=X.shape[0])


WIDTH_CASES = ((1.0, float(np.exp(-0.5))), (2.0, 0.5), (0.3, 0.1), (5.0, 0.9))  # (distance r, level)


def check_width(width_for_level):
    """width_for_level(r, level) -> sigma such that the Gaussian unit answers `level` at distance r."""
    expect_callable("width_for_level", width_for_level)
    stored = numbers("ex12-width")
    for (r, level), expected, slips in zip(WIDTH_CASES, stored["expected"], stored["slips"]):
        what = f"width_for_level(r={r}, level={level:.4g})"
        got = float(np.squeeze(as_array(what, width_for_level(r, level))))
        if np.isclose(got, expected, rtol=1e-6):
            continue
        if np.isclose(got, slips["log10"]):
            fail(f"{what}: you used the base-10 logarithm; exp and the natural logarithm np.log undo each other")
        if np.isclose(got, slips["without_2"]):
            fail(f"{what}: the factor 2 of the exponent -r^2 / (2 sigma^2) is missing")
        if np.isclose(got, slips["variance"]):
            fail(f"{what}: that is sigma^2; take the square root to get the width sigma")
        expect_close(what, got, expected, rtol=1e-6,
                     hint="solve exp(-r^2 / (2 sigma^2)) = level for sigma")


ITEMS = {
    "ex12-features": Item(check_features, title="the RBF feature map", hidden=2, numpy_only=True),
    "ex12-assign": Item(check_assign, title="k-means assignment step", hidden=2, numpy_only=True),
    "ex12-update": Item(check_update, title="k-means update step", hidden=1, numpy_only=True),
    "ex12-xor": Item(check_xor, title="XOR with two RBF units and a linear output", hidden=1, numpy_only=True),
    "ex12-output-gradient": Item(check_output_gradient, title="derive it: the gradients of an RBF network's output "
                                 "weights and prototypes", hidden=2, numpy_only=True),
    "ex12-width": Item(check_width, title="derive it: the width of a Gaussian unit for a given reach", hidden=2,
                       numpy_only=True),
    "ex12-quiz-feature": quiz_item("ex12-quiz-feature", title="quiz: one Gaussian feature"),
    "ex12-quiz-sigma": quiz_item("ex12-quiz-sigma", title="quiz: a width that is too large"),
    "ex12-quiz-kmeans": quiz_item("ex12-quiz-kmeans", title="quiz: k-means"),
}
