#!/usr/bin/env python3
"""Static check of the Julia binding against the C header, for machines without Julia.

Parses every .jl file under bindings/julia and examples/julia with tree-sitter-julia (not
regular expressions: comments, strings, macros and line breaks cannot fool it) and checks each
`ccall((:nks_name, libnksolve), RetType, (ArgTypes...,), args...)` against the prototypes of
include/nksolve.h, read with a small parser of the header:

  * the symbol is declared by the header, and the library is the constant `libnksolve`
    (or it is one of the few C math-library functions of C_LIBRARY_FUNCTIONS, which an example
    may call so that it computes the same bits as the Rust reference and the C examples: it is
    then checked against its C prototype there);
  * the argument types are a tuple (a 1-tuple needs its trailing comma) with as many entries as
    the C prototype has parameters, and as many values follow;
  * every argument type and the return type is compatible with its C type (table below);
  * every function of the header is wrapped at least once (coverage);
  * every `@cfunction` is a non-closure one whose signature matches one of the header's
    callback typedefs, and the trampoline it names has a method whose annotated parameter
    types are that signature;
  * every NKS_* constant of the header (enum values, version macros) has a `const` mirror with
    the same value;
  * every struct of the header has an immutable Julia mirror named after it (`nks_krylov_report`
    -> `KrylovReport`, `nks_sor_report` -> `SorReport`) with the same fields, in the same order,
    with compatible types (so the same layout); the summary counts the structs mirrored.

Prints one line per problem (`file:line: message`) and a summary; exits 1 on any problem.

Usage: julia_ccall_check.py [--root DIR] [--header FILE] [PATH ...]
  PATH: .jl files or folders to check (default: ROOT/bindings/julia and ROOT/examples/julia).
Needs the PyPI packages tree_sitter and tree_sitter_julia.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import dataclass, field

try:
    import tree_sitter_julia
    from tree_sitter import Language, Parser
except ImportError as e:  # pragma: no cover - reported to the caller
    print(f"julia ccall check: cannot import tree-sitter ({e}); pip install tree_sitter tree_sitter_julia",
          file=sys.stderr)
    sys.exit(2)

LIBRARY_CONSTANT = "libnksolve"

# C scalar type -> Julia spellings accepted for it (by value).
C_SCALARS: dict[str, set[str]] = {
    "size_t": {"Csize_t", "UInt"},
    "double": {"Cdouble", "Float64"},
    "float": {"Cfloat", "Float32"},
    "int32_t": {"Int32", "Cint"},
    "int": {"Cint", "Int32"},
    "uint32_t": {"UInt32", "Cuint"},
    "uint8_t": {"UInt8", "Cuchar"},
    "int64_t": {"Int64", "Clonglong"},
    "uint64_t": {"UInt64", "Culonglong"},
    "char": {"Cchar", "UInt8", "Int8"},
}
JULIA_VOID = {"Cvoid", "Nothing"}
JULIA_STRING = {"Cstring", "Ptr{UInt8}", "Ptr{Cchar}", "Ptr{Int8}"}
CALLING_CONVENTIONS = {"cdecl", "stdcall", "fastcall", "thiscall", "llvmcall"}
JULIA_MODULE_PREFIXES = ("Base.", "Core.", "NKSolve.", "Libc.")

# C math-library functions an example may ccall from a library of its own choosing: name ->
# (C return type, C parameter types). Julia's own `exp` rounds differently from the C
# library's in the last bit for about 1% of arguments, which changes the iteration counts of a
# nonlinear solve that evaluates it a million times; the constrained example's target is a
# `sin`, taken from the C library for the same reason.
C_LIBRARY_FUNCTIONS: dict[str, tuple[str, list[str]]] = {
    "exp": ("double", ["double"]),
    "sin": ("double", ["double"]),
}


# ---------------------------------------------------------------------------------------------
# The header
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CType:
    base: str   # e.g. "int64_t", "nks_csr", "void"
    depth: int  # number of '*'
    const: bool

    def __str__(self) -> str:
        return ("const " if self.const else "") + self.base + (" " + "*" * self.depth if self.depth else "")


@dataclass
class CDecl:
    name: str
    ret: CType
    params: list[tuple[CType, str]]


@dataclass
class Header:
    functions: dict[str, CDecl] = field(default_factory=dict)
    callbacks: dict[str, CDecl] = field(default_factory=dict)        # function-pointer typedefs
    structs: dict[str, list[tuple[CType, str]]] = field(default_factory=dict)
    opaque: set[str] = field(default_factory=set)                    # typedef struct X X;
    aliases: dict[str, str] = field(default_factory=dict)            # typedef int32_t nks_status;
    enums: set[str] = field(default_factory=set)
    constants: dict[str, int | None] = field(default_factory=dict)   # NKS_* enum values, #defines

    def resolve(self, base: str) -> str:
        seen = set()
        while base in self.aliases and base not in seen:
            seen.add(base)
            base = self.aliases[base]
        return "int32_t" if base in self.enums else base


def _strip_c_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def _parse_ctype(decl: str, named: bool) -> tuple[CType, str]:
    """`const int64_t *row_ptr` -> (CType(int64_t, 1, const), "row_ptr")."""
    depth = decl.count("*")
    words = re.findall(r"[A-Za-z_]\w*", decl)
    const = "const" in words
    words = [w for w in words if w not in ("const", "struct", "enum", "restrict", "volatile")]
    if not words:
        raise ValueError(f"cannot parse C declaration {decl!r}")
    name = ""
    if named and len(words) >= 2:
        name = words.pop()
    return CType(" ".join(words), depth, const), name


def _parse_params(text: str) -> list[tuple[CType, str]]:
    text = text.strip()
    if text in ("", "void"):
        return []
    return [_parse_ctype(p, named=True) for p in text.split(",")]


def parse_header(path: str) -> Header:
    with open(path, encoding="utf-8") as f:
        text = _strip_c_comments(f.read())
    h = Header()
    for m in re.finditer(r"^\s*#\s*define\s+(NKS_\w+)\s+(.*?)\s*$", text, flags=re.M):
        h.constants[m.group(1)] = int(m.group(2)) if re.fullmatch(r"-?\d+", m.group(2)) else None
    # Preprocessor lines go (the enum underlying-type lines are inside #if blocks).
    text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))

    for m in re.finditer(r"\benum\s+(\w+)\s*(?::\s*\w+\s*)?\{([^}]*)\}\s*;", text):
        h.enums.add(m.group(1))
        for v in re.finditer(r"\b(NKS_\w+)\s*=\s*(-?\d+)", m.group(2)):
            h.constants[v.group(1)] = int(v.group(2))
    for m in re.finditer(r"\btypedef\s+struct\s*\{([^}]*)\}\s*(\w+)\s*;", text):
        fields = [_parse_ctype(d, named=True) for d in m.group(1).split(";") if d.strip()]
        h.structs[m.group(2)] = fields
    for m in re.finditer(r"\btypedef\s+struct\s+(\w+)\s+(\w+)\s*;", text):
        h.opaque.add(m.group(2))
    for m in re.finditer(r"\btypedef\s+(?:enum\s+)?(\w+)\s+(\w+)\s*;", text):
        if m.group(1) != "struct":
            h.aliases[m.group(2)] = m.group(1)
    for m in re.finditer(r"\btypedef\s+([\w\s\*]+?)\(\s*\*\s*(\w+)\s*\)\s*\(([^)]*)\)\s*;", text):
        ret, _ = _parse_ctype(m.group(1), named=False)
        h.callbacks[m.group(2)] = CDecl(m.group(2), ret, _parse_params(m.group(3)))

    # Prototypes: whatever is left after the type declarations.
    rest = re.sub(r"\btypedef\b[^;]*?\{[^}]*\}[^;]*;", " ", text)
    rest = re.sub(r"\benum\s+\w+\s*(?::\s*\w+\s*)?\{[^}]*\}\s*;", " ", rest)
    rest = re.sub(r"\btypedef\b[^;]*;", " ", rest)
    for m in re.finditer(r"([A-Za-z_][\w\s\*]*?)\b(nks_\w+)\s*\(([^;{}()]*)\)\s*;", rest):
        ret, _ = _parse_ctype(m.group(1), named=False)
        h.functions[m.group(2)] = CDecl(m.group(2), ret, _parse_params(m.group(3)))
    return h


def julia_struct_name(c_name: str) -> str:
    """`nks_krylov_report` -> `KrylovReport`."""
    stem = c_name[4:] if c_name.startswith("nks_") else c_name
    return "".join(w[:1].upper() + w[1:] for w in stem.split("_") if w)


def accepted_julia(h: Header, ct: CType, position: str) -> set[str] | None:
    """Julia spellings accepted for C type `ct` as an 'arg', 'ret', 'field', 'cbarg' or 'cbret'."""
    base = h.resolve(ct.base)
    ret = position in ("ret", "cbret")
    if ct.depth == 0:
        if base == "void":
            return set(JULIA_VOID) if ret else None
        if base in h.callbacks:
            return {"Ptr{Cvoid}"} if position == "arg" else None
        if base in C_SCALARS:
            return set(C_SCALARS[base])
        if base in h.structs and position == "field":
            return {julia_struct_name(base)}
        return None
    if ct.depth == 1:
        if base == "char" and ct.const:
            return set(JULIA_STRING)
        if base in ("void",) or base in h.opaque:
            return {"Ptr{Cvoid}"}
        if base in h.structs:
            j = julia_struct_name(base)
            return {f"Ptr{{{j}}}"} if ret else {f"Ptr{{{j}}}", f"Ref{{{j}}}"}
        if base in C_SCALARS:
            ptrs = {f"Ptr{{{j}}}" for j in C_SCALARS[base]}
            return ptrs if ret else ptrs | {f"Ref{{{j}}}" for j in C_SCALARS[base]}
        return None
    if ct.depth == 2 and base in h.opaque and position == "arg":
        return {"Ref{Ptr{Cvoid}}", "Ptr{Ptr{Cvoid}}"}
    if ct.depth == 2 and base in C_SCALARS and position == "arg":
        return {f"{w}{{Ptr{{{j}}}}}" for j in C_SCALARS[base] for w in ("Ref", "Ptr")}
    return None


# ---------------------------------------------------------------------------------------------
# The Julia sources
# ---------------------------------------------------------------------------------------------

COMMENT_TYPES = {"line_comment", "block_comment", "comment"}


def args_of(node) -> list:
    """The argument nodes of a call or macro call's argument list (no punctuation, no comments)."""
    for c in node.children:
        if c.type in ("argument_list", "macro_argument_list"):
            return [a for a in c.named_children if a.type not in COMMENT_TYPES]
    return []


def text(node) -> str:
    return node.text.decode("utf-8")


def julia_type(node) -> str:
    t = re.sub(r"\s+", "", text(node))
    for prefix in JULIA_MODULE_PREFIXES:
        t = re.sub(r"(?<![\w.])" + re.escape(prefix), "", t)
    return t


def walk(node):
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.children))


def callee_name(call) -> str | None:
    first = call.children[0] if call.children else None
    return text(first) if first is not None and first.type == "identifier" else None


def macro_name(macro) -> str | None:
    for c in macro.children:
        if c.type == "macro_identifier":
            ids = [x for x in c.named_children if x.type == "identifier"]
            return text(ids[-1]) if ids else None
    return None


@dataclass
class Checker:
    header: Header
    header_path: str
    root: str
    problems: list[str] = field(default_factory=list)
    ccalls: int = 0
    cfunctions: int = 0
    wrapped: set[str] = field(default_factory=set)
    library_defined: bool = False
    constants_checked: int = 0
    constants_defined: set[str] = field(default_factory=set)
    # function name -> list of (file, line, [parameter type or None], return type or None)
    methods: dict[str, list[tuple[str, int, list[str | None], str | None]]] = field(default_factory=dict)
    pending_cfunctions: list[tuple[str, int, str, list[str], str]] = field(default_factory=list)
    structs_seen: dict[str, tuple[str, int, bool, list[tuple[str, str | None]]]] = field(default_factory=dict)
    structs_mirrored: set[str] = field(default_factory=set)  # C structs whose mirror is exact

    def problem(self, path: str, node_or_line, msg: str) -> None:
        line = node_or_line if isinstance(node_or_line, int) else node_or_line.start_point[0] + 1
        shown = os.path.relpath(path, self.root)
        if shown.startswith(".."):
            shown = path
        self.problems.append(f"{shown}:{line}: {msg}")

    # ----- one file ----------------------------------------------------------------------------
    def check_file(self, parser: Parser, path: str) -> None:
        with open(path, "rb") as f:
            tree = parser.parse(f.read())
        root = tree.root_node
        if root.has_error:
            for n in walk(root):
                if n.is_missing:
                    self.problem(path, n, f"syntax error: missing {n.type!r} (tree-sitter-julia)")
                elif n.is_error:
                    self.problem(path, n, f"syntax error near {text(n)[:40]!r} (tree-sitter-julia)")
        for n in walk(root):
            if n.type == "call_expression" and callee_name(n) == "ccall":
                self.check_ccall(path, n)
            elif n.type == "macrocall_expression":
                name = macro_name(n)
                if name == "ccall":
                    self.problem(path, n, "@ccall is not checked by this tool; use the "
                                          "ccall((:nks_name, libnksolve), Ret, (Args...,), args...) form")
                elif name == "cfunction":
                    self.collect_cfunction(path, n)
            elif n.type == "const_statement":
                for a in n.named_children:
                    if a.type == "assignment" and a.children and text(a.children[0]) == LIBRARY_CONSTANT:
                        self.library_defined = True
                    elif a.type == "assignment" and a.children and text(a.children[0]).startswith("NKS_"):
                        self.check_constant(path, a)
            elif n.type in ("function_definition", "assignment"):
                self.collect_method(path, n)
            elif n.type == "struct_definition":
                self.collect_struct(path, n)

    def check_constant(self, path: str, assignment) -> None:
        """`const NKS_X = Int32(v)` (or `= v`) must be a constant of the header, with its value."""
        name = text(assignment.children[0])
        value_node = assignment.named_children[-1]
        self.constants_defined.add(name)
        if name not in self.header.constants:
            self.problem(path, assignment, f"{name} is not a constant of {self.header_path}")
            return
        m = re.fullmatch(r"(?:(?:Int32|Cint|UInt32|Cuint|Int)\()?(-?\d+)\)?", re.sub(r"\s+", "", text(value_node)))
        if m is None or self.header.constants[name] is None:
            return  # computed from other constants (e.g. NKS_VERSION): not evaluated here
        self.constants_checked += 1
        if int(m.group(1)) != self.header.constants[name]:
            self.problem(path, assignment, f"{name} = {m.group(1)} but {self.header_path} has {self.header.constants[name]}")

    def check_ccall(self, path: str, call) -> None:
        self.ccalls += 1
        args = args_of(call)
        if len(args) < 3:
            self.problem(path, call, f"ccall with {len(args)} arguments; expected ((:name, lib), Ret, (Args...,), args...)")
            return
        target, ret = args[0], args[1]
        rest = args[2:]
        if ret.type == "identifier" and text(ret) in CALLING_CONVENTIONS:
            if len(rest) < 2:
                self.problem(path, call, "ccall with a calling convention but no argument types")
                return
            ret, rest = rest[0], rest[1:]
        types_node, values = rest[0], rest[1:]

        # (:nks_name, libnksolve)
        parts = [a for a in target.named_children if a.type not in COMMENT_TYPES]
        if target.type != "tuple_expression" or len(parts) != 2:
            self.problem(path, target, f"ccall target {text(target)!r} is not a literal (:nks_name, {LIBRARY_CONSTANT}) pair")
            return
        sym, lib = parts
        if sym.type == "quote_expression" and sym.named_children:
            cname = text(sym.named_children[-1])
        elif sym.type == "string_literal":
            cname = text(sym).strip('"')
        else:
            self.problem(path, sym, f"ccall function name {text(sym)!r} is not a literal :symbol or string")
            return
        if cname in C_LIBRARY_FUNCTIONS:
            self.check_c_library_ccall(path, call, cname, ret, types_node, values)
            return
        if lib.type != "identifier" or text(lib) != LIBRARY_CONSTANT:
            self.problem(path, lib, f"ccall of {cname} uses library {text(lib)!r}; use the constant {LIBRARY_CONSTANT}")
        decl = self.header.functions.get(cname)
        if decl is None:
            self.problem(path, sym, f"{cname} is not declared in {self.header_path}")
            return
        self.wrapped.add(cname)

        # return type
        jret = julia_type(ret)
        ok = accepted_julia(self.header, decl.ret, "ret")
        if ok is None:
            self.problem(path, ret, f"{cname}: no Julia mapping known for the C return type {decl.ret}")
        elif jret not in ok:
            self.problem(path, ret, f"{cname}: return type {jret} does not match C {decl.ret} (use {' or '.join(sorted(ok))})")

        # argument types
        if types_node.type != "tuple_expression":
            self.problem(path, types_node, f"{cname}: argument types {text(types_node)!r} are not a tuple "
                                           "(a single type needs a trailing comma: (T,))")
            return
        jtypes = [julia_type(t) for t in types_node.named_children if t.type not in COMMENT_TYPES]
        if len(jtypes) != len(decl.params):
            self.problem(path, types_node, f"{cname}: {len(jtypes)} argument types but the C prototype has "
                                           f"{len(decl.params)} parameters ({', '.join(str(c) + ' ' + n for c, n in decl.params) or 'void'})")
        else:
            for i, (jt, (ct, pname)) in enumerate(zip(jtypes, decl.params), start=1):
                ok = accepted_julia(self.header, ct, "arg")
                if ok is None:
                    self.problem(path, types_node, f"{cname}: no Julia mapping known for C parameter {i} ({ct} {pname})")
                elif jt not in ok:
                    self.problem(path, types_node, f"{cname}: argument {i} ({pname}) is {jt} but C has {ct} "
                                                   f"(use {' or '.join(sorted(ok))})")
        if not any(v.type == "splat_expression" for v in values) and len(values) != len(jtypes):
            self.problem(path, call, f"{cname}: {len(jtypes)} argument types but {len(values)} values passed")

    def check_c_library_ccall(self, path: str, call, cname: str, ret, types_node, values) -> None:
        """A ccall of a C math-library function: its types against C_LIBRARY_FUNCTIONS."""
        cret, cparams = C_LIBRARY_FUNCTIONS[cname]
        jret = julia_type(ret)
        if jret not in C_SCALARS[cret]:
            self.problem(path, ret, f"{cname}: return type {jret} does not match C {cret} "
                                    f"(use {' or '.join(sorted(C_SCALARS[cret]))})")
        if types_node.type != "tuple_expression":
            self.problem(path, types_node, f"{cname}: argument types {text(types_node)!r} are not a tuple "
                                           "(a single type needs a trailing comma: (T,))")
            return
        jtypes = [julia_type(t) for t in types_node.named_children if t.type not in COMMENT_TYPES]
        if len(jtypes) != len(cparams):
            self.problem(path, types_node, f"{cname}: {len(jtypes)} argument types but the C prototype has "
                                           f"{len(cparams)} parameters ({', '.join(cparams)})")
            return
        for i, (jt, ct) in enumerate(zip(jtypes, cparams), start=1):
            if jt not in C_SCALARS[ct]:
                self.problem(path, types_node, f"{cname}: argument {i} is {jt} but C has {ct} "
                                               f"(use {' or '.join(sorted(C_SCALARS[ct]))})")
        if not any(v.type == "splat_expression" for v in values) and len(values) != len(jtypes):
            self.problem(path, call, f"{cname}: {len(jtypes)} argument types but {len(values)} values passed")

    def collect_cfunction(self, path: str, macro) -> None:
        self.cfunctions += 1
        args = args_of(macro)
        if len(args) != 3:
            self.problem(path, macro, f"@cfunction with {len(args)} arguments; expected (f, Ret, (Args...,))")
            return
        f, ret, types_node = args
        if f.type != "identifier":
            self.problem(path, f, f"@cfunction of {text(f)!r}: use a named top-level function (no closure "
                                  "cfunctions: they rely on trampolines some platforms lack)")
            return
        if types_node.type != "tuple_expression":
            self.problem(path, types_node, f"@cfunction({text(f)}): argument types are not a tuple")
            return
        jtypes = [julia_type(t) for t in types_node.named_children if t.type not in COMMENT_TYPES]
        jret = julia_type(ret)
        matches = []
        for cb in self.header.callbacks.values():
            if len(cb.params) != len(jtypes):
                continue
            ok_ret = accepted_julia(self.header, cb.ret, "cbret")
            if ok_ret is None or jret not in ok_ret:
                continue
            if all((ok := accepted_julia(self.header, ct, "cbarg")) is not None and jt in ok
                   for jt, (ct, _) in zip(jtypes, cb.params)):
                matches.append(cb.name)
        if not matches:
            sigs = "; ".join(f"{cb.ret} {cb.name}({', '.join(str(c) for c, _ in cb.params)})"
                             for cb in self.header.callbacks.values())
            self.problem(path, macro, f"@cfunction({text(f)}, {jret}, ({', '.join(jtypes)})) matches no callback "
                                      f"typedef of the header: {sigs}")
            return
        self.pending_cfunctions.append((path, macro.start_point[0] + 1, text(f), jtypes, jret))

    def collect_method(self, path: str, node) -> None:
        """Records `function f(a::T, ...)::R` and `f(a::T, ...) = ...` methods (names and types)."""
        if node.type == "function_definition":
            sig = next((c for c in node.children if c.type == "signature"), None)
            if sig is None or not sig.named_children:
                return
            head = sig.named_children[0]
        else:
            head = node.children[0] if node.children else None
            if head is None or head.type not in ("call_expression", "typed_expression"):
                return
        rtype = None
        if head.type == "typed_expression" and head.named_children and head.named_children[0].type == "call_expression":
            rtype = julia_type(head.named_children[-1])
            head = head.named_children[0]
        if head.type == "where_expression" and head.named_children:
            head = head.named_children[0]
        if head.type != "call_expression":
            return
        name = callee_name(head)
        if name is None:
            return
        ptypes: list[str | None] = []
        for a in args_of(head):
            if a.type == "typed_expression" and len(a.named_children) == 2:
                ptypes.append(julia_type(a.named_children[1]))
            else:
                ptypes.append(None)
        self.methods.setdefault(name, []).append((path, node.start_point[0] + 1, ptypes, rtype))

    def collect_struct(self, path: str, node) -> None:
        mutable = any(c.type == "mutable" for c in node.children)
        head = next((c for c in node.children if c.type == "type_head"), None)
        if head is None or not head.named_children:
            return
        name = text(head.named_children[0])
        fields: list[tuple[str, str | None]] = []
        for c in node.named_children:
            if c.type == "typed_expression" and len(c.named_children) == 2:
                fields.append((text(c.named_children[0]), julia_type(c.named_children[1])))
            elif c.type == "identifier":
                fields.append((text(c), None))
        self.structs_seen[name] = (path, node.start_point[0] + 1, mutable, fields)

    # ----- whole-binding checks ----------------------------------------------------------------
    def finish(self) -> None:
        if not self.library_defined:
            self.problems.append(f"(binding): no `const {LIBRARY_CONSTANT} = ...` definition found")
        for name in sorted(set(self.header.functions) - self.wrapped):
            self.problems.append(f"(binding): {name} is declared in {self.header_path} but no ccall wraps it")
        for name in sorted(set(self.header.constants) - self.constants_defined):
            self.problems.append(f"(binding): the constant {name} of {self.header_path} has no `const {name}` mirror")

        # trampolines named by @cfunction: a method with exactly the cfunction's signature
        for path, line, fname, jtypes, jret in self.pending_cfunctions:
            methods = self.methods.get(fname, [])
            if not methods:
                self.problem(path, line, f"@cfunction names {fname}, which is not defined in the checked files")
                continue
            want = [t[4:-1] if t.startswith("Ref{") else t for t in jtypes]  # Ref{T} arrives as T
            good = [m for m in methods if len(m[2]) == len(want) and all(p is None or p == w for p, w in zip(m[2], want))]
            if not good:
                have = "; ".join(f"{fname}({', '.join(p or '_' for p in m[2])}) at {m[0]}:{m[1]}" for m in methods)
                self.problem(path, line, f"@cfunction({fname}, {jret}, ({', '.join(jtypes)})): no method of {fname} "
                                         f"takes these arguments ({have})")
            elif not any(m[3] is None or m[3] == jret or {m[3], jret} <= {"Cint", "Int32"} for m in good):
                self.problem(path, line, f"@cfunction({fname}): the method's return annotation differs from {jret}")

        # structs of the header mirrored field for field by immutable Julia structs
        for cname, cfields in self.header.structs.items():
            if self.check_struct_mirror(cname, cfields):
                self.structs_mirrored.add(cname)

    def check_struct_mirror(self, cname: str, cfields: list[tuple[CType, str]]) -> bool:
        """Checks the Julia mirror of the C struct `cname`; True when it matches exactly."""
        before = len(self.problems)
        jname = julia_struct_name(cname)
        seen = self.structs_seen.get(jname)
        if seen is None:
            self.problems.append(f"(binding): no Julia struct {jname} mirrors the C struct {cname}")
            return False
        path, line, mutable, jfields = seen
        if mutable:
            self.problem(path, line, f"{jname} mirrors C struct {cname} and must be an immutable (isbits) struct")
        if [n for n, _ in jfields] != [n for _, n in cfields]:
            self.problem(path, line, f"{jname} fields ({', '.join(n for n, _ in jfields)}) differ from {cname} "
                                     f"({', '.join(n for _, n in cfields)}) in names or order")
        for (jn, jt), (ct, cn) in zip(jfields, cfields):
            ok = accepted_julia(self.header, ct, "field")
            if jt is None:
                self.problem(path, line, f"{jname}.{jn} has no type annotation (C: {ct} {cn})")
            elif ok is None:
                self.problem(path, line, f"{jname}.{jn}: no Julia mapping known for C field type {ct}")
            elif jt not in ok:
                self.problem(path, line, f"{jname}.{jn} is {jt} but {cname}.{cn} is {ct} (use {' or '.join(sorted(ok))})")
        return len(self.problems) == before


def jl_files(paths: list[str]) -> list[str]:
    out = []
    for p in paths:
        if os.path.isdir(p):
            for d, _, files in os.walk(p):
                out.extend(os.path.join(d, f) for f in files if f.endswith(".jl"))
        elif os.path.isfile(p):
            out.append(p)
    return sorted(out)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap.add_argument("--header", default=None)
    ap.add_argument("paths", nargs="*")
    a = ap.parse_args(argv)
    header_path = a.header or os.path.join(a.root, "include", "nksolve.h")
    paths = a.paths or [os.path.join(a.root, "bindings", "julia"), os.path.join(a.root, "examples", "julia")]

    header = parse_header(header_path)
    if not header.functions:
        print(f"julia ccall check: no nks_* prototypes found in {header_path}")
        return 1
    files = jl_files(paths)
    if not files:
        print(f"julia ccall check: no .jl files under {', '.join(paths)}")
        return 1

    parser = Parser(Language(tree_sitter_julia.language()))
    checker = Checker(header, os.path.relpath(header_path, a.root), os.path.abspath(a.root))
    for f in files:
        checker.check_file(parser, f)
    checker.finish()

    for p in checker.problems:
        print(p)
    total = len(header.functions)
    covered = len(checker.wrapped & set(header.functions))
    print(f"julia ccall check: {checker.ccalls} ccalls, {covered}/{total} header functions, "
          f"{checker.cfunctions} cfunctions, {len(checker.structs_mirrored)}/{len(header.structs)} structs, {checker.constants_checked} constants, "
          f"{len(checker.problems)} problems ({len(files)} files)")
    return 1 if checker.problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
