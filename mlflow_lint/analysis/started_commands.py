"""The command lines Python code starts, as the facts the checks of command lines read.

``subprocess.Popen(["mlflow", "server", "--host", "0.0.0.0"])``, ``os.system("mlflow ui &")``,
``asyncio.create_subprocess_exec("mlflow", "server", ...)``, ``os.execvp``, IPython's
``get_ipython().system(...)`` (what a notebook's ``!mlflow ui`` line runs): each becomes the
``Command`` a script holding that line gives (sources.facts), so that MLF201, MLF301,
MLF703 and the other checks of command lines judge it with their own logic and messages.

Words are what the value analysis resolves them to (analysis.values: literals, f-strings,
names, constants of other modules, the arguments a call under analysis binds). What it
cannot know stays a hole, as ``$VAR`` does in a script, and is never guessed: a word that may
be several values has no single value (``Word.value``); a word that may hold options
(``*extra_args``, a list appended to under an ``if``) leaves the command's options open
(``Invocation.open_options``). A list of words runs without a shell (its ``"$URI"`` is that
text, as in a Dockerfile's exec form); a string runs through one. The words and the command
point at the call, where the command is started; a variable the process environment gets
from ``os.environ[...] = ...`` points where it is set.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from dataclasses import replace

from mlflow_lint.analysis import flow
from mlflow_lint.analysis.calls import argument, call_names_of
from mlflow_lint.analysis.memo import MemoKey, SyntaxKey
from mlflow_lint.analysis.mlflow_calls import env_assignments
from mlflow_lint.analysis.module import AnalysedModule
from mlflow_lint.analysis.semantic import Binding
from mlflow_lint.analysis.values import Hole, Part, StrValue, literal
from mlflow_lint.positions import LineIndex
from mlflow_lint.sources.containers import ContainerCommand
from mlflow_lint.sources.facts import Command, Position, Setting, Word, shell_value
from mlflow_lint.sources.shell import inline_script_at, mlflow_argv, parse_shell, started_container, tokenize

# How each call is given its command: "words" a list of words (a string instead: a command
# line), "line" a command line a shell runs, "arguments" the words as its positional
# arguments from that position on; the (position, keyword) that gives it, and the position
# of an ``env`` mapping given positionally (``os.execve``).
_STARTERS: dict[str, tuple[str, int, str | None, int | None]] = {
    "subprocess.run": ("words", 0, "args", None),
    "subprocess.Popen": ("words", 0, "args", None),
    "subprocess.call": ("words", 0, "args", None),
    "subprocess.check_call": ("words", 0, "args", None),
    "subprocess.check_output": ("words", 0, "args", None),
    "subprocess.getoutput": ("line", 0, "cmd", None),
    "subprocess.getstatusoutput": ("line", 0, "cmd", None),
    "os.system": ("line", 0, "command", None),
    "os.popen": ("line", 0, "cmd", None),
    "os.execv": ("words", 1, None, None),
    "os.execvp": ("words", 1, None, None),
    "os.execve": ("words", 1, None, 2),
    "os.execvpe": ("words", 1, None, 2),
    "os.execl": ("arguments", 1, None, None),
    "os.execlp": ("arguments", 1, None, None),
    "asyncio.create_subprocess_exec": ("arguments", 0, None, None),
    "asyncio.create_subprocess_shell": ("line", 0, "cmd", None),
    "asyncio.subprocess.create_subprocess_exec": ("arguments", 0, None, None),
    "asyncio.subprocess.create_subprocess_shell": ("line", 0, "cmd", None),
}
# IPython's shell escapes: ``get_ipython().system(cmd)`` is what a notebook's ``!cmd`` runs.
_IPYTHON_SHELL = frozenset({"system", "getoutput", "system_raw", "system_piped"})
_GET_IPYTHON = frozenset({"IPython.get_ipython", "IPython.core.getipython.get_ipython"})
# The terminal names of those calls: what the engine hands a check of command lines.
STARTER_NAMES = call_names_of(_STARTERS) | _IPYTHON_SHELL
_ENVIRONMENT_COPIES = frozenset({"os.environ.copy", "dict", "copy.copy"})
# List methods that change a list of words before it runs; only these three add words a
# known way (the others change it in ways not followed: it may then hold any option).
_GROWERS = frozenset({"append", "extend", "insert"})
_CHANGERS = _GROWERS | {"remove", "pop", "clear", "reverse", "sort"}
_MAX_DEPTH = 8
_MAX_WAYS = 8  # ways a list of words may be (``a if c else b``, a name assigned in branches)
# Python's unknown parts of a command line, while the shell reader splits it: one private-use
# character each (a text that holds such characters itself is not read).
_PLACEHOLDER = 0xE000
_MAX_HOLES = 256
_PLACEHOLDERS = re.compile("[\ue000-\ue0ff]")

_Values = tuple[StrValue, ...]  # a word's values, alternatives
_Words = tuple[_Values, ...]
_Environment = tuple[tuple[Setting, ...], bool]  # the settings, and whether more may come from outside
_STARTED: MemoKey[dict[ast.Call, list[Command] | None]] = MemoKey("started_commands")
_INHERITED: MemoKey[tuple[Setting, ...]] = MemoKey("inherited_environment")
_CHANGES: SyntaxKey[dict[str, list[tuple[ast.AST, ast.Name]]]] = SyntaxKey("list_changes")


def started_commands(module: AnalysedModule, call: ast.Call, lines: LineIndex) -> list[Command] | None:
    """The ``mlflow`` command lines ``call`` may start, one per way its words may be (none
    for another program); None when ``call`` starts no process. ``lines`` is the index of
    the module's source, which places the call."""
    if module.frame is not None:
        # Under a call (analysis.flow) the words read the call's arguments, and which
        # arguments each finding reads is recorded on every use: not memoised.
        return _started(module, call, lines)
    known = module.memo_table(_STARTED)
    if call not in known:
        known[call] = _started(module, call, lines)
    return known[call]


def _started(module: AnalysedModule, call: ast.Call, lines: LineIndex) -> list[Command] | None:
    starter = _starter(module, call)
    if starter is None:
        return None
    api, kind, position, keyword, env_position = starter
    span = lines.span(call)
    if kind == "arguments":
        commands = _from_words(_elements(module, call.args[position:], 0), span)
    else:
        given = argument(call, position, keyword)
        if given is None:
            return []
        shell = _keyword_true(call, "shell")
        if shell and isinstance(given, (ast.List, ast.Tuple)) and given.elts:
            given = given.elts[0]  # a shell given a list runs its first word as the script
        ways = _sequence(module, given, 0) if kind == "words" and not shell else None
        # A string of words is a command line (on Windows a program reads it so too).
        commands = _from_words(ways, span) if ways is not None else _command_lines(module.values.evaluate(given), span, api)
    if not commands:
        return commands
    settings, outside = _environment(module, call, lines, span, api, env_position)
    return [  # (a command a container engine starts has the container's environment, not the process's)
        command if command.in_container
        else replace(command, environment=settings + command.environment, open_environment=outside or command.open_environment)
        for command in commands
    ]


def _starter(module: AnalysedModule, call: ast.Call) -> tuple[str, str, int, str | None, int | None] | None:
    """(name for messages, how, position, keyword, env position) of a call that starts a process."""
    callee = module.model.callee(call)
    if callee is not None and callee in _STARTERS:
        return (callee, *_STARTERS[callee])
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in _IPYTHON_SHELL and _is_ipython(module, func.value):
        return f"get_ipython().{func.attr}", "line", 0, "cmd", None
    return None


def _is_ipython(module: AnalysedModule, expr: ast.expr) -> bool:
    """``get_ipython()``: the name IPython gives a notebook's code (bound nowhere), or imported."""
    if not isinstance(expr, ast.Call) or expr.args or expr.keywords:
        return False
    func = expr.func
    if isinstance(func, ast.Name) and func.id == "get_ipython" and module.model.lookup(func.id, func) is None:
        return True
    return module.model.qualified_name(func) in _GET_IPYTHON


def _keyword_true(call: ast.Call, name: str) -> bool:
    return any(k.arg == name and isinstance(k.value, ast.Constant) and k.value.value is True for k in call.keywords)


# -- lists of words -----------------------------------------------------------------------
def _sequence(module: AnalysedModule, expr: ast.expr, depth: int) -> list[_Words] | None:
    """The words a list (or tuple) expression may hold, one tuple per way; None when
    ``expr`` is not known to be a list of words."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(expr, (ast.List, ast.Tuple)):
        return _elements(module, expr.elts, depth)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        left, right = _sequence(module, expr.left, depth + 1), _sequence(module, expr.right, depth + 1)
        if left is None and right is None:
            return None  # two strings (or unknowns): not a list
        return _joined(left or [(_unknown(module, expr.left),)], right or [(_unknown(module, expr.right),)])
    if isinstance(expr, ast.Name):
        return _named(module, expr, depth)
    if isinstance(expr, ast.Call):
        return _made(module, expr, depth)
    return None


def _elements(module: AnalysedModule, elements: Sequence[ast.expr], depth: int) -> list[_Words]:
    """A list display's words: each element's values; a ``*starred`` list's words, or a word
    not known (it may be any number of words)."""
    ways: list[_Words] = [()]
    for element in elements:
        if isinstance(element, ast.Starred):
            inner = _sequence(module, element.value, depth + 1) or [(_unknown(module, element.value),)]
        else:
            inner = [(_element(module, element),)]
        ways = _joined(ways, inner)
    return ways


def _joined(left: list[_Words], right: list[_Words]) -> list[_Words]:
    return [first + second for first in left for second in right][:_MAX_WAYS]


def _element(module: AnalysedModule, expr: ast.expr) -> _Values:
    """A word's values: what the value analysis resolves (a number's text too), else a hole.
    ``sys.executable`` is a Python interpreter and ``shutil.which("mlflow")`` the program it
    names, whatever their paths: only the program matters here."""
    model = module.model
    if model.qualified_name(expr) == "sys.executable":
        return (literal("python"),)
    if isinstance(expr, ast.Call) and expr.args and model.qualified_name(expr.func) == "shutil.which":
        return _element(module, expr.args[0])
    values = module.values.evaluate(expr)
    if values:
        return tuple(dict.fromkeys(values))
    number = module.values.number(expr)
    return (literal(number),) if number is not None else _unknown(module, expr)


def _unknown(module: AnalysedModule, expr: ast.AST) -> _Values:
    return (StrValue((Hole(expr, module),)),)


def _made(module: AnalysedModule, call: ast.Call, depth: int) -> list[_Words] | None:
    """``list(words)``, ``shlex.split(line)`` and ``line.split()`` (``line.split(" ")``)."""
    name = module.model.qualified_name(call.func)
    if name in ("list", "tuple") and len(call.args) == 1 and not call.keywords:
        return _sequence(module, call.args[0], depth + 1)
    if name == "shlex.split" and call.args:
        return [_split(value, quoted=True) for value in module.values.evaluate(call.args[0])][:_MAX_WAYS] or None
    func = call.func
    plain = not call.keywords and (not call.args or (len(call.args) == 1 and _is_space(call.args[0])))
    if isinstance(func, ast.Attribute) and func.attr == "split" and name is None and plain:
        return [_split(value, quoted=False) for value in module.values.evaluate(func.value)][:_MAX_WAYS] or None
    return None


def _is_space(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Constant) and (expr.value is None or expr.value == " ")


def _split(value: StrValue, *, quoted: bool) -> _Words:
    """A string's words: split at white space, or with ``quoted`` as ``shlex`` splits it
    (POSIX quoting); a part the value analysis does not know stays a hole inside its word."""
    text, holes = _with_placeholders(value)
    if text is None:
        return ((_hole_word(value),),)
    pieces = [token.text for token in tokenize(text) if not token.operator] if quoted else text.split()
    return tuple((_restored(piece, holes, shell=False),) for piece in pieces)


def _hole_word(value: StrValue) -> StrValue:
    return StrValue((Hole(None),), via=value.via)


# -- names bound to lists -----------------------------------------------------------------
def _named(module: AnalysedModule, name: ast.Name, depth: int) -> list[_Words] | None:
    """The words a name may hold where it is used: those of each assignment that reaches it
    (of the argument a call under analysis binds to a parameter, of a constant imported
    from another module), with the changes made to the list on the way."""
    ways: list[_Words] = []
    for binding in _reaching(module, name):
        found = _bound(module, binding, depth)
        if found is None:
            return None  # one way the list is not known: the whole is not
        ways.extend(_changed(module, name, binding, found, depth))
    return ways[:_MAX_WAYS] or None


def _reaching(module: AnalysedModule, name: ast.Name) -> list[Binding]:
    """The bindings of ``name`` that may give it its list where it is used: those that reach
    it (each branch of an ``if``), but ``words += [...]`` (a change, _changed) and one that a
    later binding in its own block replaces (``cmd = cmd.split()`` after ``cmd = f"..."``)."""
    use = _position(name)
    bindings = [b for b in module.model.bindings_reaching(name.id, name) if not isinstance(b.node, ast.AugAssign)]
    homes = [_home_block(module, binding) for binding in bindings]
    return [
        binding
        for binding, home in zip(bindings, homes, strict=True)
        if not any(
            later is not binding and binding.position < later.position <= use and home is not None and other is home
            for later, other in zip(bindings, homes, strict=True)
        )
    ]


def _bound(module: AnalysedModule, binding: Binding, depth: int) -> list[_Words] | None:
    if binding.kind == "assign" and binding.value is not None:
        return _sequence(module, binding.value, depth + 1)
    if binding.kind == "param":
        found = flow.frame_argument(module, binding)
        return _sequence(found[0].caller, found[1], depth + 1) if found is not None else None
    if binding.kind == "import" and binding.qualified_name and module.project is not None:
        constant = module.project.resolve_constant(module.path, binding.qualified_name)
        return _sequence(constant[0], constant[1], depth + 1) if constant is not None else None
    return None


def _changed(module: AnalysedModule, name: ast.Name, binding: Binding, ways: list[_Words], depth: int) -> list[_Words]:
    """``ways`` with the changes made to the list between ``binding`` and the use ``name``:
    ``append``/``extend``/``+=`` in the block that binds it add their words; any other
    change, or one under an ``if`` or in a loop, adds a word not known (it may hold options)."""
    model = module.model
    home = _home_block(module, binding)
    added: list[list[_Words]] = []
    for change, target in _changes(module, name, binding):
        statement = _statement_of(module, change)
        placed = model.block_of(statement) if statement is not None else None
        words = _added_words(module, change, depth) if placed is not None and placed[0] is home else None
        added.append(words if words is not None else [(_unknown(module, target),)])
    for more in added:
        ways = _joined(ways, more)
    return ways


def _changes(module: AnalysedModule, name: ast.Name, binding: Binding) -> list[tuple[ast.AST, ast.Name]]:
    """The changes (``words += ...``, ``words.append(...)``, ``words[i] = ...``) of the list
    ``binding`` gives ``name``, after it and before the use, in source order, with the name
    as each change writes it."""
    use = _position(name)
    found = [
        (change, target)
        for change, target in module.syntax_memo(_CHANGES, _changes_by_name).get(name.id, ())
        if binding.position <= _position(change) < use and _base_binding(module, target) is binding
    ]
    return sorted(found, key=lambda item: _position(item[0]))


def _changes_by_name(module: AnalysedModule) -> dict[str, list[tuple[ast.AST, ast.Name]]]:
    """Every change of a list a name holds in the module, by name: ``+=``, a list method
    that changes it, an item assigned (once per module: each list of words asks)."""
    model = module.model
    found: dict[str, list[tuple[ast.AST, ast.Name]]] = {}
    for augmented in model.nodes_of(ast.AugAssign):
        if isinstance(augmented.target, ast.Name):
            found.setdefault(augmented.target.id, []).append((augmented, augmented.target))
    for call in model.calls_named(_CHANGERS):
        receiver = call.func.value if isinstance(call.func, ast.Attribute) else None
        if isinstance(receiver, ast.Name):
            found.setdefault(receiver.id, []).append((call, receiver))
    for assign in model.nodes_of(ast.Assign):
        for target in assign.targets:
            if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                found.setdefault(target.value.id, []).append((assign, target.value))
    return found


def _base_binding(module: AnalysedModule, name: ast.Name) -> Binding | None:
    """The binding that gave ``name`` its list where it is changed: the last one before it
    that is not itself a change (``+=``)."""
    position = _position(name)
    found: Binding | None = None
    for binding in module.model.bindings_of(name.id, name):
        if not isinstance(binding.node, ast.AugAssign) and binding.position <= position and (found is None or binding.position >= found.position):
            found = binding
    return found


def _added_words(module: AnalysedModule, change: ast.AST, depth: int) -> list[_Words] | None:
    """The words a change surely adds at the end: ``+= [...]``, ``.append(x)``,
    ``.extend([...])``; None for any other change."""
    if isinstance(change, ast.AugAssign) and isinstance(change.op, ast.Add):
        return _sequence(module, change.value, depth + 1) or [(_unknown(module, change.value),)]
    if isinstance(change, ast.Call) and isinstance(change.func, ast.Attribute) and len(change.args) == 1 and not change.keywords:
        if change.func.attr == "append":
            return [(_element(module, change.args[0]),)]
        if change.func.attr == "extend":
            return _sequence(module, change.args[0], depth + 1) or [(_unknown(module, change.args[0]),)]
    return None


def _home_block(module: AnalysedModule, binding: Binding) -> list[ast.stmt] | None:
    """The statements that surely run after the binding, in its block: the assignment's
    block, a parameter's function body."""
    if binding.kind == "param":
        function = flow.function_of_parameter(module, binding)
        return function.body if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) else None
    statement = _statement_of(module, binding.node)
    placed = module.model.block_of(statement) if statement is not None else None
    return placed[0] if placed is not None else None


def _statement_of(module: AnalysedModule, node: ast.AST) -> ast.stmt | None:
    if isinstance(node, ast.stmt):
        return node
    for ancestor in module.model.ancestors(node):
        if isinstance(ancestor, ast.stmt):
            return ancestor
    return None


def _position(node: ast.AST) -> tuple[int, int]:
    return getattr(node, "lineno", 0), getattr(node, "col_offset", 0)


# -- words to commands --------------------------------------------------------------------
def _from_words(ways: list[_Words], span: Position) -> list[Command]:
    """The ``mlflow`` commands of lists of words run without a shell: an ``mlflow`` program
    (launched: ``python -m mlflow``, ``uv run mlflow``), or the script of a shell it runs
    (``["bash", "-c", "mlflow server ..."]``)."""
    commands: list[Command] = []
    for words in ways:
        argv = [_word(values, span) for values in words]
        container = started_container(argv)
        if container is not None:  # ["docker", "run", "-p", "5000:5000", IMAGE, "mlflow", "server", ...]
            commands.extend(_in_container(container, span))
            continue
        found = mlflow_argv(argv)
        if found is not None:
            commands.append(Command(tuple(found), span))
            continue
        at = inline_script_at([word.text for word in argv])
        if at is not None and at < len(argv):
            commands.extend(_command_lines(argv[at].values, span, "the shell"))
    return commands


def _in_container(container: ContainerCommand, span: Position) -> list[Command]:
    """The ``mlflow`` command a container engine's list of words starts in the container
    (sources.containers: its publishing as the engine's options say). Its environment is
    the ``-e`` options, not read here: an unset option may then come from them, so it is
    open (never a "missing store" from what is not known)."""
    found = mlflow_argv(container.words)
    if found is not None:
        commands = [Command(tuple(found), span)]
    else:
        at = inline_script_at([word.text for word in container.words])
        values = container.words[at].resolved if at is not None and at < len(container.words) else None
        commands = _command_lines(values, span, "the container's shell") if values is not None else []
    opened = container.open_environment or bool(container.environment)
    return [
        replace(command, environment=(), open_environment=opened, published=container.published, in_container=True)
        for command in commands
    ]


def _word(values: _Values, span: Position) -> Word:
    """A word of a list run without a shell: its text is the program's (``$X`` included)."""
    return Word(_shown(values), span, literal=True, resolved=values)


def _shown(values: _Values) -> str:
    """A resolved word's text: its value, holes as ``{expr}``; several values: the text
    they all start with, then ``{…}``."""
    if len(values) == 1:
        return "".join(part if isinstance(part, str) else part.render() for part in values[0].parts)
    prefixes = [value.prefix for value in values]
    shared = next((index for index, letters in enumerate(zip(*prefixes, strict=False)) if len(set(letters)) > 1), min(map(len, prefixes)))
    return prefixes[0][:shared] + "{…}"


def _command_lines(values: _Values, span: Position, api: str) -> list[Command]:
    """The ``mlflow`` commands of command lines a shell runs (sources.shell reads them), with
    the parts Python does not know as holes of their words."""
    commands: list[Command] = []
    for value in values[:_MAX_WAYS]:
        text, holes = _with_placeholders(value)
        if text is None:
            continue
        for command in parse_shell(text, f"the command line of {api}").commands:
            commands.append(
                replace(
                    command,
                    argv=tuple(_placed(word, holes, span) for word in command.argv),
                    position=span,
                    environment=tuple(_placed_setting(setting, holes, span) for setting in command.environment),
                    variables=tuple(_placed_setting(setting, holes, span) for setting in command.variables),
                )
            )
    return commands


def _with_placeholders(value: StrValue) -> tuple[str | None, list[Hole]]:
    """The value's text with each hole a placeholder character; None when there are too
    many, or the text holds such characters itself."""
    holes = value.holes()
    texts = [part for part in value.parts if isinstance(part, str)]
    if len(holes) > _MAX_HOLES or any(_PLACEHOLDERS.search(text) for text in texts):
        return None, holes
    pieces: list[str] = []
    index = 0
    for part in value.parts:
        if isinstance(part, str):
            pieces.append(part)
        else:
            pieces.append(chr(_PLACEHOLDER + index))
            index += 1
    return "".join(pieces), holes


def _restored(text: str, holes: list[Hole], *, shell: bool) -> StrValue:
    """A word's value from its text with placeholders: each one its hole; with ``shell``, the
    shell's references (``$VAR``) holes too."""
    parts: list[Part] = []
    local_path = False
    position = 0
    for match in _PLACEHOLDERS.finditer(text):
        _add_text(parts, text[position : match.start()], shell)
        parts.append(holes[ord(match.group()) - _PLACEHOLDER])
        position = match.end()
    _add_text(parts, text[position:], shell)
    if shell and text and not _PLACEHOLDERS.match(text):
        local_path = shell_value(_PLACEHOLDERS.split(text, 1)[0]).local_path  # ``$(pwd)/{sub}``
    return StrValue(tuple(parts), local_path=local_path)


def _add_text(parts: list[Part], text: str, shell: bool) -> None:
    for part in shell_value(text).parts if shell else ((text,) if text else ()):
        if isinstance(part, str) and parts and isinstance(parts[-1], str):
            parts[-1] += part
        else:
            parts.append(part)


def _placed(word: Word, holes: list[Hole], span: Position) -> Word:
    """A word of a command line, at the call, resolved: the values the shell's reading
    gives it (a ``${VAR:-default}`` fallback too), a Python hole its own."""
    if not _PLACEHOLDERS.search(word.text):
        return Word(word.text, span, word.literal, word.values)
    value = _restored(word.text, holes, shell=not word.literal)
    return Word(_shown((value,)), span, word.literal, (value,))


def _placed_setting(setting: Setting, holes: list[Hole], span: Position) -> Setting:
    value = _placed(setting.value, holes, span) if setting.value is not None else None
    return replace(setting, value=value, position=span)


# -- the environment ------------------------------------------------------------------------
def _environment(module: AnalysedModule, call: ast.Call, lines: LineIndex, span: Position, api: str, position: int | None) -> _Environment:
    """What the process's environment is known to hold, and whether more may come from
    outside the file. Without ``env=`` (or given ``os.environ``, a copy of it, ``{**os.environ,
    ...}``) it inherits the module's: what ``os.environ[...] = ...`` and the like set in it;
    from outside, as a script's, only what is not set in the file. Any other mapping is not
    known: anything may come from it."""
    given = argument(call, position, "env")
    if given is None or _is_environment(module, given):
        return _inherited(module, lines), False
    if not isinstance(given, ast.Dict):
        return (), True
    settings: list[Setting] = []
    inherits = outside = False
    for key, value in zip(given.keys, given.values, strict=True):
        if key is None:  # **mapping
            inherits = inherits or _is_environment(module, value)
            outside = outside or not _is_environment(module, value)
            continue
        names = module.values.evaluate(key)
        if len(names) != 1 or not names[0].complete:
            outside = True
            continue
        name = names[0].text
        settings.append(Setting(name, _word(_element(module, value), span), span, f"{name} in the env of {api}"))
    return (_inherited(module, lines) if inherits else ()) + tuple(settings), outside


def _is_environment(module: AnalysedModule, expr: ast.expr) -> bool:
    """``os.environ``, or a copy of it (``os.environ.copy()``, ``dict(os.environ)``)."""
    model = module.model
    if model.qualified_name(expr) == "os.environ":
        return True
    if isinstance(expr, ast.Call) and not expr.keywords:
        name = model.qualified_name(expr.func)
        if name == "os.environ.copy" and not expr.args:
            return True
        return name in _ENVIRONMENT_COPIES and len(expr.args) == 1 and model.qualified_name(expr.args[0]) == "os.environ"
    return False


def _inherited(module: AnalysedModule, lines: LineIndex) -> tuple[Setting, ...]:
    """What the module sets in its own environment (``os.environ[...] = ...``,
    ``os.environ.setdefault``, ``update``, ``os.putenv``), wherever it does: a process it
    starts inherits it, and a setting placed after the start in the text may still run
    first (a function called later). Each points where it is set."""
    if module.frame is None:
        known = module.memo_get(_INHERITED)
        if known is not None:
            return known
    model = module.model
    nodes: list[ast.AST] = [*model.nodes_of(ast.Assign), *model.calls_named(frozenset({"setdefault", "putenv", "update"}))]
    settings = []
    for node in nodes:
        for assignment in env_assignments(module, node):
            where = lines.span(assignment.value)
            values = _element(module, assignment.value)
            settings.append(Setting(assignment.variable, Word(_shown(values), where, True, values), where, assignment.api))
    found = tuple(settings)
    return module.memo_set(_INHERITED, found) if module.frame is None else found
