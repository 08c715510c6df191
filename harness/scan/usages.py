"""What one file does with Stripe: the uses the rules check, found by walking its ``ast``.

Scopes are followed in statement order: module, class and function bodies each keep
the names they bind (a function also sees the module's), ``self.<attr>`` assignments are
shared by a class's methods, and the types come from :mod:`.receivers`.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace

from .findings import Confidence
from .receivers import (
    NAME_HINTS,
    REQUEST_OPTIONS,
    SType,
    api_result,
    element,
    event_subject,
    expanded,
    member,
)

Env = dict[str, SType | None]  # None: bound to something that is not a Stripe object


@dataclass(frozen=True)
class Use:
    """One use: ``kind`` names it, ``node`` is where it is, the rest says what was used."""

    kind: str  # import, attribute, method, builtin, field, call, flat_service, v1_service, service_method
    node: ast.AST
    name: str = ""
    object: str | None = None
    path: tuple[str, ...] = ()
    operation: str | None = None
    params: tuple[str, ...] = ()
    bools: bool = False
    positional: int = 0
    style: str = "global"
    confidence: Confidence = Confidence.CERTAIN
    #: Inside code that probes the library first (``hasattr(stripe, ...)``, ``except ImportError``):
    #: written for several releases, so a name it falls back to is not a break.
    guarded: bool = False
    #: A call that names its own API version (``stripe_version="2024-06-20"`` or a constant): the
    #: upgrade does not move it.
    fixed_version: bool = False


@dataclass
class FileUses:
    """Every use found in one file, and the facts that span the file (pinning, retries)."""

    uses: list[Use] = field(default_factory=list)
    pins_api_version: bool = False
    sets_retries: bool = False


def _dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *reversed(parts)])
    return None


def _const_str(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _is_constant(node: ast.AST) -> bool:
    """A string literal or an UPPER_CASE name: a version fixed in the code, not the run's."""
    return _const_str(node) is not None or (isinstance(node, ast.Name) and node.id.isupper())


def _has_bool(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Constant) and isinstance(n.value, bool) for n in ast.walk(node))


#: Walks of one file at most: enough for helpers that call helpers, bounded for pathological files.
_PASSES = 4
_PROBE_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "AttributeError"})


def _probes_library(body: list[ast.stmt], aliases: set[str]) -> bool:
    """``hasattr(stripe, "X")``, ``getattr(stripe, "X", None)`` or ``getattr(client, "v1", client)`` in ``body``."""
    for stmt in body:
        for node in ast.walk(stmt):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and len(node.args) >= 2):
                continue
            target, attr = node.args[0], _const_str(node.args[1])
            probe = node.func.id == "hasattr" or (node.func.id == "getattr" and len(node.args) == 3)
            if probe and ((isinstance(target, ast.Name) and target.id in aliases) or attr == "v1"):
                return True
    return False


def _bound_names(body: list[ast.stmt]) -> set[str]:
    """Names a function body binds anywhere (so a parameter's hint never shadows a local)."""
    names = set()
    for stmt in body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
    return names


class _Walker(ast.NodeVisitor):
    """Infers types statement by statement and records each use once, at its outermost node."""

    def __init__(self, out: FileUses, returns: Env | None = None, module_env: Env | None = None,
                 facts: dict[int, tuple[set[str], bool]] | None = None) -> None:
        self.out = out
        #: Per function node, the names its body binds and whether it probes the library (walks are costly).
        self.facts = facts if facts is not None else {}
        self.module_env: Env = module_env or {}
        self.env: Env = self.module_env
        #: What the file's own functions return, by name, from an earlier pass (``get_invoice(...)``).
        self.returns: Env = returns or {}
        self.found_returns: Env = {}
        self.function: str | None = None
        self.stripe_aliases: set[str] = set()
        self.self_attrs: Env = {}
        self.guarded = 0
        #: Names of option dicts built with a constant ``stripe_version`` (``{"stripe_version": V}``).
        self.fixed_options: set[str] = set()

    # -- scopes ---------------------------------------------------------------------------
    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name != "stripe" and not alias.name.startswith("stripe."):
                self.env[alias.asname or alias.name.split(".")[0]] = None  # someone else's module
            else:
                if alias.name != "stripe":
                    self._use("import", node, name=alias.name)
                if alias.asname is None or alias.name == "stripe":
                    self.stripe_aliases.add(alias.asname or "stripe")
                    self.env[alias.asname or "stripe"] = SType("module")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        if module != "stripe" and not module.startswith("stripe."):
            for alias in node.names:  # a name the file imports is whatever it is, whatever it is called
                self.env[alias.asname or alias.name] = None
            return
        if module != "stripe":
            self._use("import", node, name=module)
            return
        for alias in node.names:  # ``from stripe import error`` reads an attribute (14.0.1+ has it again)
            self._use("attribute", node, name=f"stripe.{alias.name}")
            self.env[alias.asname or alias.name] = member(SType("module"), alias.name)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.env[node.name] = None
        outer, self.self_attrs = self.self_attrs, {}
        for stmt in node.body:
            self.visit(stmt)
        self.self_attrs = outer

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.env[node.name] = None
        for default in [*node.args.defaults, *node.args.kw_defaults]:
            if default is not None:
                self.infer(default)
        outer = self.env
        self.env = dict(outer) if outer is self.module_env else {**self.module_env, **outer}
        if id(node) not in self.facts:
            self.facts[id(node)] = (_bound_names(node.body), _probes_library(node.body, self.stripe_aliases))
        local, probes = self.facts[id(node)]
        for arg in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]:
            self.env[arg.arg] = self._param_type(arg, local)
        self.guarded += probes
        enclosing, self.function = self.function, node.name
        for stmt in node.body:
            self.visit(stmt)
        self.function = enclosing
        self.guarded -= probes
        self.env = outer

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Return(self, node: ast.Return) -> None:
        typ = self.infer(node.value)
        if typ is not None and self.function is not None:
            self.found_returns.setdefault(self.function, typ)

    def _param_type(self, arg: ast.arg, local: set[str]) -> SType | None:
        if arg.annotation is not None:
            found = self.infer(arg.annotation)
            return SType("object", found.object or None) if found and found.kind == "resource" else None
        hint = NAME_HINTS.get(arg.arg)
        return SType("object", hint, confidence=Confidence.NAME) if hint and arg.arg not in local else None

    # -- bindings -------------------------------------------------------------------------
    def _bind(self, target: ast.AST, value: SType | None) -> None:
        if isinstance(target, ast.Name):
            if value is not None and value.object == "event" and not value.path:
                value = replace(value, origin=target.id)
            self.env[target.id] = value
        elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self":
            self.self_attrs[target.attr] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            for elt in target.elts:
                self._bind(elt, None)
        else:
            self.infer(target)

    def visit_Assign(self, node: ast.Assign) -> None:
        value = self.infer(node.value)
        if isinstance(node.value, ast.Dict) and any(
                _const_str(k) == "stripe_version" and _is_constant(v)
                for k, v in zip(node.value.keys, node.value.values, strict=True)):
            self.fixed_options.update(t.id for t in node.targets if isinstance(t, ast.Name))
        for target in node.targets:
            self._note_config(target)
            self._bind(target, value)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        value = self.infer(node.value) if node.value is not None else None
        self._note_config(node.target)
        self._bind(node.target, value)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.infer(node.value)

    def _note_config(self, target: ast.AST) -> None:
        """``stripe.api_version = ...`` pins the version; ``stripe.max_network_retries = ...`` decides retries."""
        dotted = _dotted(target) or ""
        head, _, attr = dotted.rpartition(".")
        if head in self.stripe_aliases:
            self.out.pins_api_version |= attr == "api_version"
            self.out.sets_retries |= attr == "max_network_retries"

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        source = self.infer(node.iter)
        self._bind(node.target, element(source) if source else None)
        for stmt in [*node.body, *node.orelse]:
            self.visit(stmt)

    visit_AsyncFor = visit_For

    def visit_With(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            value = self.infer(item.context_expr)
            if item.optional_vars is not None:
                self._bind(item.optional_vars, value)
        for stmt in node.body:
            self.visit(stmt)

    visit_AsyncWith = visit_With

    def visit_Try(self, node: ast.Try) -> None:
        caught = {_dotted(n) or "" for h in node.handlers if h.type is not None for n in ast.walk(h.type)}
        probes = bool(caught & _PROBE_ERRORS)  # the body and its fallbacks are alternatives for some release
        self.guarded += probes
        for stmt in node.body:
            self.visit(stmt)
        for handler in node.handlers:
            if handler.name:
                self.env[handler.name] = None  # an exception, not a Stripe object
            self.generic_visit(handler)
        self.guarded -= probes
        for stmt in [*node.orelse, *node.finalbody]:
            self.visit(stmt)

    visit_TryStar = visit_Try

    def _event_name(self, node: ast.AST) -> str | None:
        """The event variable ``node`` reads the type of: ``event.type``, ``event["type"]``, ``event_type``."""
        if isinstance(node, ast.Name):  # event_type = event["type"]
            typ = self.env.get(node.id)
            return typ.origin if typ and typ.object == "event" and typ.path == ("type",) else None
        if isinstance(node, ast.Attribute):
            key, base = node.attr, node.value
        elif isinstance(node, ast.Subscript):
            key, base = _const_str(node.slice), node.value
        else:
            return None
        typ = self.env.get(base.id) if key == "type" and isinstance(base, ast.Name) else None
        return base.id if typ and typ.object == "event" and not typ.path else None

    def _event_type_test(self, test: ast.expr) -> tuple[str, list[str]] | None:
        """``event.type == "invoice.paid"``, ``in (...)``, ``.startswith("invoice.")``: the event, the types."""
        if isinstance(test, ast.Compare) and len(test.ops) == 1:
            left, right = test.left, test.comparators[0]
            if isinstance(test.ops[0], ast.Eq):
                for side, other in ((left, right), (right, left)):
                    if (name := self._event_name(side)) and (value := _const_str(other)):
                        return name, [value]
            if isinstance(test.ops[0], ast.In) and (name := self._event_name(left)) and \
                    isinstance(right, (ast.Tuple, ast.List, ast.Set)):
                values = [_const_str(e) for e in right.elts]
                return (name, [v for v in values if v]) if all(values) else None
        if isinstance(test, ast.Call) and isinstance(test.func, ast.Attribute) and test.func.attr == "startswith" \
                and test.args and (name := self._event_name(test.func.value)) and (prefix := _const_str(test.args[0])):
            return name, [prefix]
        return None

    def _narrowing(self, test: tuple[str, list[str]] | None) -> Env:
        """Inside a branch on an event's type, its ``data.object`` and every name read from it has that type."""
        subject = event_subject(test[1]) if test else None
        narrowed: Env = {}
        for name, typ in self.env.items() if test and subject else ():
            if typ is not None and name == test[0]:
                narrowed[name] = replace(typ, subject=subject)
            elif typ is not None and typ.origin == test[0] and typ.object is None and typ.kind == "object":
                narrowed[name] = replace(typ, object=subject)
        return narrowed

    def _branches(self, branches: list[tuple[list[ast.stmt], Env]]) -> None:
        """Each branch from the same start; after them a name holds a Stripe value if any branch left one."""
        start = dict(self.env)
        ends = []
        for body, narrowed in branches:
            self.env.clear()
            self.env.update({**start, **narrowed})
            for stmt in body:
                self.visit(stmt)
            for name, typ in narrowed.items():  # the narrowing ends with the branch
                if self.env.get(name) is typ:
                    self.env[name] = start[name]
            ends.append(dict(self.env))
        self.env.clear()
        for end in ends:
            for name, typ in end.items():
                if typ is not None or name not in self.env:
                    self.env[name] = typ

    def visit_If(self, node: ast.If) -> None:
        self.infer(node.test)
        self._branches([(node.body, self._narrowing(self._event_type_test(node.test))), (node.orelse, {})])

    def visit_Match(self, node: ast.Match) -> None:
        """``match event.type: case "invoice.paid": ...`` narrows like an ``if``."""
        self.infer(node.subject)
        event = self._event_name(node.subject)
        branches = []
        for case in node.cases:
            patterns = case.pattern.patterns if isinstance(case.pattern, ast.MatchOr) else [case.pattern]
            values = [_const_str(p.value) for p in patterns if isinstance(p, ast.MatchValue)]
            test = (event, [v for v in values if v]) if event and values and all(values) else None
            if case.guard is not None:
                self.infer(case.guard)
            branches.append((case.body, self._narrowing(test)))
        self._branches([*branches, ([], {})])  # no case may match

    def visit_Expr(self, node: ast.Expr) -> None:
        self.infer(node.value)

    def generic_visit(self, node: ast.AST) -> None:
        for _name, value in ast.iter_fields(node):
            items = value if isinstance(value, list) else [value]
            for item in items:
                if isinstance(item, ast.stmt):
                    self.visit(item)
                elif isinstance(item, ast.expr):
                    self.infer(item)
                elif isinstance(item, ast.AST):
                    self.generic_visit(item)

    # -- expressions ------------------------------------------------------------------------
    def _use(self, kind: str, node: ast.AST, **kw: object) -> None:
        self.out.uses.append(Use(kind, node, guarded=self.guarded > 0, **kw))  # type: ignore[arg-type]

    def _read(self, node: ast.AST, typ: SType) -> None:
        if typ.kind == "object" and typ.object and typ.path:
            self._use("field", node, object=typ.object, path=typ.path, confidence=typ.confidence)

    def infer(self, node: ast.AST | None) -> SType | None:
        """The Stripe type of ``node``, recording the uses inside it."""
        if node is None:
            return None
        method = getattr(self, f"_infer_{type(node).__name__}", None)
        if method is not None:
            return method(node)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.comprehension):  # generators first: they bind what the element uses
                self._bind(child.target, element(self.infer(child.iter) or SType("none")))
                for cond in child.ifs:
                    self.infer(cond)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self.infer(child)
        return None

    def _infer_ListComp(self, node: ast.ListComp) -> SType | None:
        """``[c for c in customers.data]`` is a list of what its element is."""
        for generator in node.generators:
            self._bind(generator.target, element(self.infer(generator.iter) or SType("none")))
            for cond in generator.ifs:
                self.infer(cond)
        elt = self.infer(node.elt)
        return SType("list", elt.object, confidence=elt.confidence) if elt and elt.kind == "object" else None

    def _infer_NamedExpr(self, node: ast.NamedExpr) -> SType | None:
        typ = self.infer(node.value)
        self._bind(node.target, typ)
        return typ

    def _infer_Name(self, node: ast.Name) -> SType | None:
        if node.id in self.env:
            return self.env[node.id]
        hint = NAME_HINTS.get(node.id)
        return SType("object", hint, confidence=Confidence.NAME) if hint else None

    def _chain(self, node: ast.Attribute | ast.Subscript) -> SType | None:
        """Resolve ``a.b["c"].d`` one step; :func:`find_uses` keeps only the outermost read of a chain."""
        if isinstance(node, ast.Attribute):
            name: str | None = node.attr
        else:
            name = _const_str(node.slice)
            if name is None:
                self.infer(node.slice)
        if isinstance(node.value, ast.Name) and node.value.id == "self" and isinstance(node, ast.Attribute):
            return self.self_attrs.get(node.attr)
        base = self.infer(node.value)
        if base is None:
            return None
        base = expanded(base) or base  # subscription.latest_invoice.<field> reads an invoice's field
        if name is None:  # obj[0], obj[key]
            return element(base)
        found = member(base, name)
        if found is not None:
            self._record_member(node, base, name)
        return found

    def _record_member(self, node: ast.AST, base: SType, name: str) -> None:
        if base.kind in ("module", "namespace", "resource"):
            dotted = _dotted(node)
            if dotted and dotted.split(".")[0] in self.stripe_aliases:
                self._use("attribute", node, name="stripe." + dotted.partition(".")[2])
        elif base.kind == "client" and name in ("v1",):
            self._use("v1_service", node, confidence=base.confidence)
        elif base.kind == "client":
            self._use("flat_service", node, name=name, confidence=base.confidence)
        elif base.kind == "service":
            self._use("service_method", node, name=name, object=base.object, confidence=base.confidence)

    def _infer_Attribute(self, node: ast.Attribute) -> SType | None:
        found = self._chain(node)
        if found is not None and found.kind == "object":
            self._read(node, found)
        elif found is None:
            self._module_attribute(node)
        return found

    def _module_attribute(self, node: ast.Attribute) -> None:
        """``stripe.error.CardError``: the library's own names, recorded for the whole dotted path."""
        dotted = _dotted(node)
        if dotted and dotted.split(".")[0] in self.stripe_aliases and "." in dotted:
            self._use("attribute", node, name="stripe." + dotted.partition(".")[2])

    def _infer_Subscript(self, node: ast.Subscript) -> SType | None:
        found = self._chain(node)
        if found is not None and found.kind == "object":
            self._read(node, found)
        return found

    def _infer_Compare(self, node: ast.Compare) -> SType | None:
        self.infer(node.left)
        for op, right in zip(node.ops, node.comparators, strict=True):
            typ = self.infer(right)
            key = _const_str(node.left)
            if isinstance(op, (ast.In, ast.NotIn)) and key and typ and typ.kind == "object":
                self._read(node, SType("object", typ.object, (*typ.path, key), confidence=typ.confidence))
        return None

    def _infer_Dict(self, node: ast.Dict) -> SType | None:
        for key, value in zip(node.keys, node.values, strict=True):
            self.infer(key)
            typ = self.infer(value)
            if key is None and typ and typ.is_whole_object:
                self._use("builtin", node, name="mapping-unpack", confidence=typ.confidence)
        return None

    def _infer_Call(self, node: ast.Call) -> SType | None:
        func = node.func
        receiver = target = None
        if isinstance(func, ast.Attribute) and not (isinstance(func.value, ast.Name) and func.value.id == "self"):
            receiver = self.infer(func.value)
            receiver = receiver and (expanded(receiver) or receiver)
            target = member(receiver, func.attr) if receiver is not None else None
            if receiver is not None:
                self._record_member(func, receiver, func.attr)
        else:
            target = self.infer(func)
        own = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        returned = self.returns.get(own) if target is None and receiver is None else None  # the file's own helper
        args = [self.infer(a.value if isinstance(a, ast.Starred) else a) for a in node.args]
        kwargs = {kw.arg: self.infer(kw.value) for kw in node.keywords}
        if self.stripe_aliases:  # a helper's fn(..., stripe_version=v) is the pin even when fn is not followed
            self.out.pins_api_version |= "stripe_version" in kwargs
            self.out.sets_retries |= "max_network_retries" in kwargs
        if receiver is not None and receiver.is_stripe_object and isinstance(func, ast.Attribute):
            return self._object_method(node, receiver, func.attr)
        if target is not None and target.kind == "api":
            self._stripe_call(node, target, node.args, node.keywords, len(node.args))
            return api_result(target)
        if target is not None and target.kind == "resource" and target.object == "StripeClient":
            return SType("client")
        self._builtin(node, args, kwargs)
        if returned is not None:
            return returned.weaker(Confidence.LIKELY)
        wrapped = next((a for a in args if a is not None and a.kind == "api"), None)
        if wrapped is not None:  # _call(stripe.Customer.list, email=...): a helper that makes the call
            api = wrapped.weaker(Confidence.LIKELY)
            self._stripe_call(node, api, node.args[1:], node.keywords, 0)
            return api_result(api)
        return self._call_result(node, receiver)

    def _call_result(self, node: ast.Call, receiver: SType | None) -> SType | None:
        """``stripe.Webhook.construct_event(...)`` and ``client.construct_event(...)`` answer an Event."""
        dotted = _dotted(node.func) or ""
        if dotted.endswith(".construct_event") and (
                dotted.split(".")[0] in self.stripe_aliases or (receiver is not None and receiver.kind == "client")):
            return SType("object", "event")
        return None

    def _object_method(self, node: ast.Call, receiver: SType, name: str) -> SType | None:
        self._use("method", node, name=name, object=receiver.object, confidence=receiver.confidence)
        key = _const_str(node.args[0]) if node.args else None
        if name == "get" and key:
            read = member(receiver, key)
            if read is not None and read.kind == "object":
                self._read(node, read)
            return read
        if name == "auto_paging_iter":
            return receiver
        return None

    def _builtin(self, node: ast.Call, args: list[SType | None], kwargs: dict[str | None, SType | None]) -> None:
        name = _dotted(node.func) or ""
        stripe_args = [a for a in [*args, *kwargs.values()] if a is not None and a.is_whole_object]
        first = args[0] if args else None
        if name in ("getattr", "hasattr") and first is not None and first.kind == "object":
            key = _const_str(node.args[1]) if len(node.args) > 1 else None
            if key:
                self._read(node, SType("object", first.object, (*first.path, key), confidence=first.confidence))
            return
        if name == "isinstance" and first is not None and first.is_whole_object and len(node.args) > 1:
            if "dict" in {(_dotted(n) or "") for n in ast.walk(node.args[1])}:
                self._use("builtin", node, name="isinstance-dict", confidence=first.confidence)
            return
        if None in kwargs and kwargs[None] is not None and kwargs[None].is_whole_object:
            self._use("builtin", node, name="mapping-unpack", confidence=kwargs[None].confidence)
        if name in ("dict", "json.dumps", "json.dump", "jsonify", "flask.jsonify") and stripe_args:
            self._use("builtin", node, name=name, confidence=stripe_args[0].confidence)

    def _stripe_call(self, node: ast.Call, api: SType, args: list[ast.expr], keywords: list[ast.keyword],
                     positional: int) -> None:
        params: list[str] = []
        bools = False
        for kw in keywords:
            if kw.arg is not None and kw.arg not in REQUEST_OPTIONS and kw.arg != "params":
                params.append(kw.arg)
                bools |= _has_bool(kw.value)
            if kw.arg == "options" and isinstance(kw.value, ast.Dict):
                self.out.pins_api_version |= "stripe_version" in {_const_str(k) for k in kw.value.keys}
        expands = [kw.value for kw in keywords if kw.arg == "expand"]
        for given in [*args, *(kw.value for kw in keywords if kw.arg == "params")]:
            if isinstance(given, ast.Dict):
                params += [k for k in map(_const_str, given.keys) if k]
                bools |= _has_bool(given)
                expands += [v for k, v in zip(given.keys, given.values, strict=True) if _const_str(k) == "expand"]
        for listed in expands:
            for item in listed.elts if isinstance(listed, (ast.List, ast.Tuple)) else []:
                self._expanded_read(item, api_result(api))
        if api.style == "client":
            positional = 0
        fixed = any((kw.arg == "stripe_version" and _is_constant(kw.value)) or
                    (kw.arg is None and isinstance(kw.value, ast.Name) and kw.value.id in self.fixed_options)
                    for kw in keywords)
        self._use("call", node, object=api.object or None, operation=api.operation, params=tuple(params),
                  bools=bools, positional=positional, style=api.style, confidence=api.confidence,
                  fixed_version=fixed)


    def _expanded_read(self, item: ast.expr, result: SType) -> None:
        """``expand=["latest_invoice.payment_intent"]`` asks for those fields: a removed one fails the call."""
        path = _const_str(item)
        typ: SType | None = result
        for part in (path or "").split("."):
            if typ is None or not part:
                return
            typ = member(typ, part) if part != "data" or typ.kind != "list" else element(typ)
            if typ is not None and typ.kind == "object" and typ.path:
                self._read(item, typ)
                typ = expanded(typ) or typ


def _outermost(uses: list[Use]) -> list[Use]:
    """One use per chain: ``a["b"]["c"]`` reads ``b.c``, not also ``b``; ``stripe.error.X`` is one use."""
    inner: set[tuple[str, str | None, int]] = set()
    for use in uses:
        if use.kind in ("field", "attribute"):  # a read of an expanded object is not the parent's read
            inner.update((use.kind, use.object, id(n)) for n in ast.walk(use.node) if n is not use.node)
    seen: set[tuple[object, ...]] = set()
    kept = []
    for use in uses:
        key = (use.kind, id(use.node), use.name, use.object, use.path)
        if (use.kind, use.object, id(use.node)) not in inner and key not in seen:
            seen.add(key)
            kept.append(use)
    return kept


def _stripe_only(env: Env) -> Env:
    return {name: typ for name, typ in env.items() if typ is not None}


def find_uses(tree: ast.Module) -> FileUses:
    """Every Stripe use in one parsed file.

    Walked until what the file's functions return and which module names hold Stripe
    values stop changing (a function may call one defined below it, or use a global
    assigned after it), at most :data:`_PASSES` times; the last walk's uses count.
    """
    returns: Env = {}
    module_env: Env = {}
    facts: dict[int, tuple[set[str], bool]] = {}
    for _ in range(_PASSES):
        out = FileUses()
        walker = _Walker(out, returns, dict(module_env), facts)
        for stmt in tree.body:
            walker.visit(stmt)
        if _stripe_only(walker.found_returns) == _stripe_only(returns) and \
                _stripe_only(walker.module_env) == _stripe_only(module_env):
            break  # another walk would see what this one saw
        returns, module_env = walker.found_returns, walker.module_env
    out.uses = _outermost(out.uses)
    return out
