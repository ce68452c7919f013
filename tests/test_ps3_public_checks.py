"""ps3's public checks (the report() cells a student runs) accept right work and name wrong work.

One kernel runs the notebook's own check cells, unchanged, against the solution, against other
correct ways to write each function, and against the mistakes students make:

* every correct form passes every check, and the seed-dependent checks (those on freshly built,
  untrained models) pass under 50 seeds for the solution and 10 for each other correct form;
* every wrong form fails the check it should, with a message naming what was received, and the rest
  of the cell's checklist still runs (no exception escapes before the list is printed).

The kernel is started once and trains only the two models the notebook trains, plus a short fit
for each wrong ``train``; all else is built untrained.
"""

from __future__ import annotations

import json
import os

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import REPO

SOURCE = REPO / "source" / "ps3_keras_from_logits" / "keras_from_logits.ipynb"
SEEDS = range(50)  # the solution's seed-dependent checks
CORRECT_SEEDS = range(10)  # the other correct forms
# The cells that define the checks, the data and the solution, and train `model` and `binary_model`.
NOTEBOOK_CELLS = ["setup", "checks", "data", "build_model", "compile_model", "train", "predict_proba",
                  "predict_classes", "build_binary_model", "train_model", "train_binary"]
CHECK_CELLS = ["test_build_model", "test_compile_model", "train_model", "test_predict_proba",
               "test_predict_classes", "test_binary_model", "train_binary"]
# Check cells that build fresh, untrained models: their outcome may depend on the random state.
SEEDED_CELLS = ["test_build_model", "test_compile_model", "test_binary_model"]

# Other correct ways to write the answers: each must pass every check of the cells named.
CORRECT = {
    "one hidden layer, Dense(n) without activation, positional Adam": ("""
def build_model(n_features, n_classes):
    return keras.Sequential([keras.Input(shape=(n_features,)), keras.layers.Dense(8, activation="relu"),
                             keras.layers.Dense(n_classes)])

def compile_model(model):
    model.compile(optimizer=keras.optimizers.Adam(0.01),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
""", ["test_build_model", "test_compile_model"]),
    "no keras.Input: the model is built by its first call": ("""
def build_model(n_features, n_classes):
    return keras.Sequential([keras.layers.Dense(25, activation="relu"), keras.layers.Dense(n_classes)])
""", ["test_build_model", "test_compile_model"]),
    "binary: two hidden layers, activation=None, no metric": ("""
def build_binary_model(n_features):
    m = keras.Sequential([keras.Input(shape=(n_features,)), keras.layers.Dense(16, activation="relu"),
                          keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1, activation=None)])
    m.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss=keras.losses.BinaryCrossentropy(True))
    return m
""", ["test_binary_model"]),
    "binary: one hidden layer of 4, metric BinaryAccuracy(threshold=0) and AUC(from_logits=True)": ("""
def build_binary_model(n_features):
    m = keras.Sequential([keras.Input(shape=(n_features,)), keras.layers.Dense(4, activation="relu"),
                          keras.layers.Dense(1, activation="linear")])
    m.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01),
              loss=keras.losses.BinaryCrossentropy(from_logits=True),
              metrics=[keras.metrics.BinaryAccuracy(threshold=0), keras.metrics.AUC(from_logits=True)])
    return m
""", ["test_binary_model"]),
    "train: batch size and epochs positionally in fit's order": ("""
def train(model, X, y, epochs):
    return model.fit(X, y, 50, epochs, verbose=0)
""", ["train_model"]),
    "train: one fit per epoch, in a loop": ("""
def train(model, X, y, epochs):
    for _ in range(epochs):
        history = model.fit(X, y, batch_size=50, epochs=1, verbose=0)
    return history
""", ["train_model"]),
    "predict_proba with tf.nn.softmax on model.predict": ("""
def predict_proba(model, X):
    return tf.nn.softmax(model.predict(X, verbose=0), axis=1).numpy()
""", ["test_predict_proba"]),
    "predict_proba as a stable numpy softmax, returned as a tensor-free list": ("""
def predict_proba(model, X):
    z = keras.ops.convert_to_numpy(model(X)).astype(np.float64)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True)).tolist()
""", ["test_predict_proba"]),
    "predict_classes with keras.ops.argmax, returning a tensor": ("""
def predict_classes(model, X):
    return keras.ops.argmax(model(X), axis=1)
""", ["test_predict_classes"]),
    "predict_classes as the argmax of predict_proba": ("""
def predict_classes(model, X):
    return np.argmax(predict_proba(model, X), axis=-1)
""", ["test_predict_classes"]),
}

# Mistakes: (answer code, the check cell, phrases its output must contain).
WRONG = {
    "ReLU output layer": ("""
def build_model(n_features, n_classes):
    return keras.Sequential([keras.Input(shape=(n_features,)), keras.layers.Dense(25, activation="relu"),
                             keras.layers.Dense(n_classes, activation="relu")])
""", "test_build_model", ["NOT passed  the last layer's activation is linear", "it is 'relu'",
                          "NOT passed  the last layer returns h @ kernel + bias", "values from 0 to"]),
    "softmax output layer": ("""
def build_model(n_features, n_classes):
    return keras.Sequential([keras.Input(shape=(n_features,)), keras.layers.Dense(25, activation="relu"),
                             keras.layers.Dense(n_classes, activation="softmax")])
""", "test_build_model", ["it is 'softmax'"]),
    "a Softmax layer after the linear one": ("""
def build_model(n_features, n_classes):
    return keras.Sequential([keras.Input(shape=(n_features,)), keras.layers.Dense(25, activation="relu"),
                             keras.layers.Dense(n_classes), keras.layers.Softmax()])
""", "test_build_model", ["NOT passed  the last layer is a Dense layer", "it is a Softmax layer"]),
    "build_model raises": ("""
def build_model(n_features, n_classes):
    return keras.Sequential([keras.Input(shape=n_features), keras.layers.Dense(n_classes)])
""", "test_build_model", ["raised ValueError: Cannot convert '2' to a shape"]),
    "compiled inside build_model": ("""
def build_model(n_features, n_classes):
    m = keras.Sequential([keras.Input(shape=(n_features,)), keras.layers.Dense(n_classes)])
    m.compile(loss="mse")
    return m
""", "test_build_model", ["NOT passed  the model comes back uncompiled", "it is compiled"]),
    "loss without from_logits": ("""
def compile_model(model):
    model.compile(loss=keras.losses.SparseCategoricalCrossentropy(), optimizer=keras.optimizers.Adam(0.01))
""", "test_compile_model", ["NOT passed  loss.from_logits is True", "from_logits is False"]),
    "loss given as a string": ("""
def compile_model(model):
    model.compile(loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.Adam(0.01))
""", "test_compile_model", ["it is 'sparse_categorical_crossentropy'"]),
    "Adam at its default learning rate": ("""
def compile_model(model):
    model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), optimizer="adam")
""", "test_compile_model", ["it is 0.001"]),
    "epochs passed positionally, as batch_size": ("""
def train(model, X, y, epochs):
    return model.fit(X, y, epochs, verbose=0)
""", "train_model", ["model.fit ran 1 epoch(s) of 334 steps", "epochs went to fit's third parameter"]),
    "the default batch size": ("""
def train(model, X, y, epochs):
    return model.fit(X, y, epochs=epochs, verbose=0)
""", "train_model", ["model.fit ran 3 epoch(s) of 32 steps"]),
    "train fits but returns nothing": ("""
def train(model, X, y, epochs):
    model.fit(X, y, epochs=epochs, batch_size=50, verbose=0)
""", "train_model", ["NOT passed  train returns the History", "it returned None"]),
    "train never fits": ("""
def train(model, X, y, epochs):
    return None
""", "train_model", ["train never called model.fit", "it is right on"]),
    "predict_proba returns the logits": ("""
def predict_proba(model, X):
    return model.predict(X, verbose=0)
""", "test_predict_proba", ["NOT passed  every entry is between 0 and 1", "entries range from -"]),
    "predict_proba as a naive softmax": ("""
def predict_proba(model, X):
    e = np.exp(keras.ops.convert_to_numpy(model(X)))
    return e / e.sum(axis=1, keepdims=True)
""", "test_predict_proba", ["NOT passed  at the far points", "nan"]),
    "predict_proba's softmax over axis 0": ("""
def predict_proba(model, X):
    return keras.ops.convert_to_numpy(keras.ops.softmax(model(X), axis=0))
""", "test_predict_proba", ["NOT passed  every row sums to 1", "row sums range from"]),
    "argmax over axis 0": ("""
def predict_classes(model, X):
    return np.argmax(keras.ops.convert_to_numpy(model(X)), axis=0)
""", "test_predict_classes", ["it has shape (4,): the argmax ran over axis 0", "got shape (4,) where (1000,)"]),
    "argmax without an axis": ("""
def predict_classes(model, X):
    return np.argmax(keras.ops.convert_to_numpy(model(X)))
""", "test_predict_classes", ["it has shape (): the argmax ran over the whole array"]),
    "predict_classes raises": ("""
def predict_classes(model, X):
    return np.argmax(softmax(model(X)), axis=1)
""", "test_predict_classes", ["raised NameError: name 'softmax' is not defined"]),
    "binary metrics=['accuracy']": ("""
def build_binary_model(n_features):
    m = keras.Sequential([keras.Input(shape=(n_features,)), keras.layers.Dense(16, activation="relu"),
                          keras.layers.Dense(1)])
    m.compile(loss=keras.losses.BinaryCrossentropy(from_logits=True), optimizer=keras.optimizers.Adam(0.01),
              metrics=["accuracy"])
    return m
""", "test_binary_model", ["NOT passed  accuracy metrics, if any, cut the logits at 0", "{'accuracy': 0.75}"]),
    "binary sigmoid output": ("""
def build_binary_model(n_features):
    m = keras.Sequential([keras.Input(shape=(n_features,)), keras.layers.Dense(16, activation="relu"),
                          keras.layers.Dense(1, activation="sigmoid")])
    m.compile(loss=keras.losses.BinaryCrossentropy(from_logits=True), optimizer=keras.optimizers.Adam(0.01))
    return m
""", "test_binary_model", ["activation 'sigmoid'", "NOT passed  the last layer returns h @ kernel + bias"]),
    "binary ReLU output": ("""
def build_binary_model(n_features):
    m = keras.Sequential([keras.Input(shape=(n_features,)), keras.layers.Dense(16, activation="relu"),
                          keras.layers.Dense(1, activation="relu")])
    m.compile(loss=keras.losses.BinaryCrossentropy(from_logits=True), optimizer=keras.optimizers.Adam(0.01))
    return m
""", "test_binary_model", ["activation 'relu'", "values from 0 to"]),
    "binary loss without from_logits": ("""
def build_binary_model(n_features):
    m = keras.Sequential([keras.Input(shape=(n_features,)), keras.layers.Dense(16, activation="relu"),
                          keras.layers.Dense(1)])
    m.compile(loss=keras.losses.BinaryCrossentropy(), optimizer=keras.optimizers.Adam(0.01))
    return m
""", "test_binary_model", ["NOT passed  the loss is BinaryCrossentropy with from_logits=True",
                           "from_logits False"]),
    "binary build raises": ("""
def build_binary_model(n_features):
    m = keras.Sequential([keras.Input(shape=(n_features,)), keras.layers.Dense(1)])
    m.compile(loss=keras.losses.BinaryCrossentropy(from_logit=True), optimizer="adam")
    return m
""", "test_binary_model", ["raised TypeError"]),
}

DRIVER = r'''
import contextlib, io, json
SOLUTION = {solution!r}
CHECKS = {checks!r}


def run_checks(cell):
    """Run a check cell as the notebook does; what it printed, how it ended, and how many checks it listed."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        try:
            exec(CHECKS[cell], globals())
            ended = "passed"
        except BaseException as error:
            ended = type(error).__name__
    text = buffer.getvalue()
    listed = sum(line.startswith(("passed ", "NOT passed ")) for line in text.splitlines())
    return {{"ended": ended, "output": text, "listed": listed, "checks": CHECKS[cell].count("\n    (\"")}}


def with_answers(code, cells, seeds=(None,)):
    """Run the check cells with some answers replaced, then put the solution back."""
    exec(code, globals())
    results = {{}}
    for seed in seeds:
        if seed is not None:
            keras.utils.set_random_seed(seed)
        for cell in cells:
            results[f"{{cell}}/{{seed}}"] = run_checks(cell)
    for source in SOLUTION:
        exec(source, globals())
    return results


trained = (model, binary_model, history, binary_history)
RESULTS = {{"solution": with_answers("", CHECKS, seeds=[None])}}
RESULTS["solution, seeded"] = with_answers("", {seeded!r}, seeds=list({seeds!r}))
for name, (code, cells) in {correct!r}.items():
    RESULTS[name] = with_answers(code, cells, seeds=list({correct_seeds!r}) if set(cells) & set({seeded!r}) else [None])
    model, binary_model, history, binary_history = trained
for name, (code, cell, phrases) in {wrong!r}.items():
    RESULTS[name] = with_answers(code, [cell])
    model, binary_model, history, binary_history = trained
print(json.dumps(RESULTS))
'''


@pytest.fixture(scope="module")
def results():
    cells = {c.metadata["nbgrader"]["grade_id"]: c for c in nbformat.read(SOURCE, as_version=4).cells}
    solution = [cells[name].source for name in ["build_model", "compile_model", "train", "predict_proba",
                                                 "predict_classes", "build_binary_model"]]
    driver = DRIVER.format(solution=solution, checks={name: cells[name].source for name in CHECK_CELLS},
                           seeded=SEEDED_CELLS, seeds=list(SEEDS), correct_seeds=list(CORRECT_SEEDS),
                           correct=CORRECT, wrong=WRONG)
    nb = nbformat.v4.new_notebook(cells=[cells[name] for name in NOTEBOOK_CELLS] + [nbformat.v4.new_code_cell(driver)])
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    NotebookClient(nb, timeout=600, kernel_name="python3").execute()
    printed = "".join(o.text for o in nb.cells[-1].outputs if o.get("name") == "stdout")
    return json.loads(printed.strip().splitlines()[-1])


def test_solution_passes_every_check(results):
    for key, run in results["solution"].items():
        assert run["ended"] == "passed", f"{key}:\n{run['output']}"
        assert run["listed"] == run["checks"], f"{key} listed {run['listed']} of {run['checks']} checks"


def test_solution_passes_under_every_seed(results):
    runs = results["solution, seeded"]
    assert len(runs) == len(SEEDS) * len(SEEDED_CELLS)
    failed = {key: run["output"] for key, run in runs.items() if run["ended"] != "passed"}
    assert not failed, f"{len(failed)} of {len(runs)} seeded runs failed, e.g. {next(iter(failed.items()))}"


@pytest.mark.parametrize("name", CORRECT)
def test_correct_form_passes(results, name):
    runs = results[name]
    failed = {key: run["output"] for key, run in runs.items() if run["ended"] != "passed"}
    assert not failed, f"{name}: {len(failed)} of {len(runs)} runs failed, e.g. {next(iter(failed.items()))}"


@pytest.mark.parametrize("name", WRONG)
def test_wrong_form_fails_and_says_what_it_got(results, name):
    code, cell, phrases = WRONG[name]
    run = results[name][f"{cell}/None"]
    assert run["ended"] != "passed", f"{name} passed {cell}:\n{run['output']}"
    assert run["listed"] == run["checks"], (
        f"{name}: {cell} listed {run['listed']} of its {run['checks']} checks before failing:\n{run['output']}"
    )
    for phrase in phrases:
        assert phrase in run["output"], f"{name}: {cell} does not say {phrase!r}:\n{run['output']}"
