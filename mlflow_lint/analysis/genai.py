"""GenAI models: models MLflow gives a signature itself, and that train on no dataset.

A signature matters for a model fitted on tabular data: without one, a serving endpoint
accepts anything. MLflow sets it itself for the models GenAI applications log (MLflow
>= 2.20 and 3.x):

- models from code: ``python_model="agent.py"`` (a path), the file calling
  ``mlflow.models.set_model(...)``;
- ``ResponsesAgent``, ``ChatAgent`` and ``ChatModel`` subclasses (fixed request and
  response schemas);
- ``PythonModel`` subclasses whose ``predict`` is type-annotated, and plain functions with
  type hints given as ``python_model`` (the signature is inferred from the hints; not from
  ``pd.DataFrame``, ``pd.Series``, ``np.ndarray`` or a SciPy sparse matrix, whose models are
  tabular ones).

Such models are not fitted on a training dataset either, so neither MLF801 (signature) nor
MLF802 (input dataset) applies to them (issue policy, documented in both rules).
"""

from __future__ import annotations

import ast

from mlflow_lint.analysis.calls import argument, dotted_name, terminal_name
from mlflow_lint.analysis.definitions import class_bases, project_class
from mlflow_lint.analysis.module import AnalysedModule

# Flavors of LLM applications and frameworks: what they log is a chain, an agent or a
# prompt around a hosted model, never fitted on a training dataset here. (``transformers``
# and ``sentence_transformers`` models are often fine-tuned, so they are not among them.)
GENAI_FLAVORS = frozenset(
    {
        "anthropic", "autogen", "bedrock", "crewai", "dspy", "gemini", "groq", "langchain",
        "litellm", "llama_index", "mistral", "openai", "promptflow",
    }
)  # fmt: skip
# Flavors whose ``log_model`` infers a signature itself when none is given (MLF801 and the
# audit's lineage evidence skip them).
SELF_INFERRING_FLAVORS = frozenset(
    {"transformers", "sentence_transformers", "langchain", "openai", "llama_index", "dspy"}
)
_GENAI_BASES = frozenset({"ResponsesAgent", "ChatAgent", "ChatModel"})
_PYTHON_MODEL = "PythonModel"
_PYFUNC_MODULES = ("mlflow.pyfunc.", "mlflow.pyfunc.model.")
_MAX_DEPTH = 6


def logs_genai_model(module: AnalysedModule, call: ast.Call, flavor: str) -> bool:
    """Whether a ``mlflow.<flavor>.log_model`` call logs a GenAI model: a GenAI flavor, a
    model MLflow describes itself (:func:`sets_its_own_signature`), or the application a
    tracing module logs (:func:`_logs_traced_application`)."""
    return flavor in GENAI_FLAVORS or sets_its_own_signature(module, call) or _logs_traced_application(module, call, flavor)


# Turning tracing on says the code around it is an LLM application: MLflow's tracing
# records LLM, tool and retrieval calls. (A GenAI flavor's autolog() traces too.) Asked of
# the function that logs the model: a test module tracing in one test says nothing of another.
_TRACING_CALLS = frozenset({"mlflow.tracing.enable", "mlflow.trace", "mlflow.start_span"})
_TRACING_NAMES = frozenset({"enable", "trace", "start_span", "autolog"})


def _logs_traced_application(module: AnalysedModule, call: ast.Call, flavor: str) -> bool:
    """A pyfunc whose ``python_model`` is no instance of a project class (a callable loaded
    at run time, an ``agent`` object from elsewhere), logged where tracing is turned on (the
    same function, or the same top-level code), or a function ``@mlflow.trace`` decorates:
    the traced application itself, fitted on no dataset (MLF802's policy). An instance of
    a project class is judged by that class alone."""
    if flavor != "pyfunc":
        return False
    python_model = argument(call, None, "python_model")
    if python_model is None:
        return False
    value = module.model.assigned_value(python_model, _MAX_DEPTH)
    if isinstance(value, ast.Call) and project_class(module, value.func) is not None:
        return False
    if isinstance(value, ast.Name):
        binding = module.model.lookup(value.id, value)
        if binding is not None and binding.kind == "def" and isinstance(binding.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return _traced(module, binding.node)
    scope = module.model.enclosing_function(call)
    return any(module.model.enclosing_function(node) is scope for node in _tracing_calls(module))


def _tracing_calls(module: AnalysedModule) -> list[ast.Call]:
    model = module.model
    found = []
    for node in model.calls_named(_TRACING_NAMES):
        parts = (model.callee(node) or "").split(".")
        if ".".join(parts) in _TRACING_CALLS or (len(parts) == 3 and parts[0] == "mlflow" and parts[1] in GENAI_FLAVORS and parts[2] == "autolog"):
            found.append(node)
    return found


def _traced(module: AnalysedModule, function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """``@mlflow.trace`` (also ``@mlflow.trace(span_type="AGENT")``) decorates ``function``."""
    return any(module.model.qualified_name(d.func if isinstance(d, ast.Call) else d) == "mlflow.trace" for d in function.decorator_list)


# Flavors whose model is often a hub checkpoint logged as it is, and how it is built so.
_CHECKPOINT_FLAVORS = {"transformers": ("transformers_model", 0), "sentence_transformers": ("model", 0)}
_CHECKPOINT_LOADERS = frozenset({"pipeline", "from_pretrained", "SentenceTransformer"})
_TRAINING_CALLS = frozenset({"train", "fit", "finetune", "fine_tune"})


def logs_pretrained_checkpoint(module: AnalysedModule, call: ast.Call, flavor: str) -> bool:
    """Whether a ``log_model`` call logs a pretrained checkpoint as it is: a transformers or
    sentence-transformers model built by ``pipeline(...)``, ``X.from_pretrained(...)`` or
    ``SentenceTransformer("name")`` in a module that trains nothing (no ``.train()``,
    ``.fit()``). No data it was fitted on, so no input dataset to log (MLF802)."""
    spec = _CHECKPOINT_FLAVORS.get(flavor)
    if spec is None:
        return False
    model = module.model.assigned_value(argument(call, spec[1], spec[0]) or call, _MAX_DEPTH)
    if not (isinstance(model, ast.Call) and terminal_name(model.func) in _CHECKPOINT_LOADERS):
        return False
    return not module.model.calls_named(_TRAINING_CALLS)


def logs_code_only_model(module: AnalysedModule, call: ast.Call, flavor: str) -> bool:
    """Whether a ``pyfunc.log_model`` call logs code, not a fitted model: its ``python_model``
    is an instance of a project class built with no argument (``PromptModel()``, a demo's
    ``MockModel()``), no ``artifacts=`` are packaged with it, and the module trains nothing
    (no ``.train()``, ``.fit()``). A wrapper given a fitted model (``Wrapper(model)``) or
    artifacts holds one. No data it was fitted on, so no input dataset to log (MLF802)."""
    if flavor != "pyfunc" or argument(call, None, "artifacts") is not None:
        return False
    python_model = argument(call, None, "python_model")
    if python_model is None:
        return False
    built = module.model.assigned_value(python_model, _MAX_DEPTH)
    if not (isinstance(built, ast.Call) and not built.args and not built.keywords):
        return False
    if project_class(module, built.func) is None:
        return False  # not a class of the project (a factory, an MLflow class)
    return not module.model.calls_named(_TRAINING_CALLS)


def sets_its_own_signature(module: AnalysedModule, call: ast.Call) -> bool:
    """Whether the model a ``log_model`` call logs gets its signature from MLflow."""
    python_model = argument(call, None, "python_model")
    if python_model is None:
        return False
    return _self_describing(module, python_model, 0)


def _self_describing(module: AnalysedModule, expr: ast.AST, depth: int) -> bool:
    if depth > _MAX_DEPTH:
        return False
    values = module.values.evaluate(expr)
    if values and all(value.complete or value.local_path or value.path_object for value in values):
        return True  # a path: a model from code
    if _builds_path(module, expr):
        return True  # f"{os.getcwd()}/agent.py", os.path.join(root, "agent.py"), Path(...) / "agent.py"
    if isinstance(expr, ast.Call):
        found = project_class(module, expr.func)
        return found is not None and _genai_class(*found, depth + 1)
    if isinstance(expr, ast.Attribute) and expr.attr == "__file__":
        return True  # model_file.__file__: a model from code, the file of a module
    if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name):
        # self._model, set in another method (``None`` first): every value it is given.
        owner = module.model._class_of_self(expr.value)
        given = module.model.attribute_values(owner, expr.attr) if owner is not None else []
        return bool(given) and all(_self_describing(module, value, depth + 1) for value in given)
    if isinstance(expr, ast.Name):
        binding = module.model.lookup(expr.id, expr)
        if binding is None:
            return False
        if binding.kind == "assign" and binding.value is not None:
            return _self_describing(module, binding.value, depth + 1)
        if binding.kind == "def" and isinstance(binding.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return _annotated(module, binding.node, method=False)  # a function with type hints
        if binding.kind == "class" and isinstance(binding.node, ast.ClassDef):
            return _genai_class(module, binding.node, depth + 1)
        if binding.kind == "param" and binding.annotation is not None:
            return _genai_annotation(module, binding.annotation, depth + 1)  # agent: ResponsesAgent
    return False


def _genai_annotation(module: AnalysedModule, annotation: ast.expr, depth: int) -> bool:
    """A parameter annotated with a GenAI agent class (MLflow's or a project subclass)."""
    if _pyfunc_class(module.model.qualified_name(annotation)) in _GENAI_BASES:
        return True
    found = project_class(module, annotation)
    return found is not None and _genai_class(*found, depth)


_PATH_BUILDERS = frozenset(
    {
        "os.path.join", "os.path.abspath", "os.path.realpath", "os.path.expanduser", "os.fspath", "pathlib.Path",
        "pathlib.PurePath", "Path", "str",
        "inspect.getfile", "inspect.getsourcefile",  # the file that defines an agent class: a model from code
    }
)  # fmt: skip


# Methods only pathlib paths have, which return a path or its text.
_PATH_METHODS = frozenset({"as_posix", "as_uri", "joinpath", "with_name", "with_stem", "with_suffix"})


def _builds_path(module: AnalysedModule, expr: ast.AST) -> bool:
    """An expression that makes a string or a path (``python_model`` is otherwise a model
    instance or a function): an f-string, a concatenation, ``os.path.join(...)``, ``Path(...)``,
    ``Path(...) / "x"``, ``model_path.as_posix()``."""
    if isinstance(expr, ast.JoinedStr):
        return True
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.Add, ast.Div)):
        return _builds_path(module, expr.left) or _builds_path(module, expr.right) or (
            isinstance(expr.left, ast.Constant) and isinstance(expr.left.value, str)
        )
    if isinstance(expr, ast.Call):
        if isinstance(expr.func, ast.Attribute) and expr.func.attr in _PATH_METHODS:
            return True  # model_path.as_posix(): only a path has these methods
        return (module.model.qualified_name(expr.func) or dotted_name(expr.func)) in _PATH_BUILDERS
    return False


def _genai_class(module: AnalysedModule, cls: ast.ClassDef, depth: int) -> bool:
    """A GenAI agent class, or a ``PythonModel`` whose ``predict`` is type-annotated."""
    if depth > _MAX_DEPTH:
        return False
    for base in class_bases(cls):
        name = module.model.qualified_name(base)
        short = _pyfunc_class(name)
        if short in _GENAI_BASES:
            return True
        if short == _PYTHON_MODEL:
            return any(
                isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name == "predict" and _annotated(module, item, method=True)
                for item in cls.body
            )
        found = project_class(module, base)
        if found is not None and _genai_class(*found, depth + 1):
            return True
    return False


def _pyfunc_class(name: str | None) -> str | None:
    """``mlflow.pyfunc.ChatModel`` / ``mlflow.pyfunc.model.ChatModel`` -> ``ChatModel``."""
    if name is None:
        return None
    for prefix in _PYFUNC_MODULES:
        if name.startswith(prefix) and "." not in name[len(prefix) :]:
            return name[len(prefix) :]
    return None


# Type hints MLflow accepts but infers no schema from (MLflow 3.18.0's
# mlflow/types/type_hints.py, type_hints_no_signature_inference): a model annotated so has
# no signature unless one is given, and is a tabular model's wrapper, not a GenAI one.
_NO_SIGNATURE_HINTS = frozenset(
    {
        "pandas.DataFrame",
        "pandas.core.frame.DataFrame",
        "pandas.Series",
        "pandas.core.series.Series",
        "numpy.ndarray",
        "scipy.sparse.csr_matrix",
        "scipy.sparse.csc_matrix",
    }
)
_NO_SIGNATURE_NAMES = frozenset(name.rpartition(".")[2] for name in _NO_SIGNATURE_HINTS)


def _annotated(module: AnalysedModule, function: ast.FunctionDef | ast.AsyncFunctionDef, method: bool) -> bool:
    """Type hints MLflow can read a signature from: the input parameter's annotation, when
    it is not one MLflow infers no schema from (``model_input: pd.DataFrame``)."""
    parameters = [*function.args.posonlyargs, *function.args.args]
    if method:
        parameters = parameters[1:]  # self
    if method and len(parameters) >= 2 and parameters[0].arg == "context":
        parameters = parameters[1:]  # predict(self, context, model_input, params=None)
    if not parameters or parameters[0].annotation is None:
        return False
    annotation = parameters[0].annotation
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):  # "pd.DataFrame"
        return annotation.value.rpartition(".")[2].strip() not in _NO_SIGNATURE_NAMES
    return module.model.qualified_name(annotation) not in _NO_SIGNATURE_HINTS
