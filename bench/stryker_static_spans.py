"""Prints Stryker --mutate exclusions ('!<file>{start..end}') for the static initializers of the C# files under a folder.

Stryker's Microsoft Testing Platform runner reuses one test process for many mutants. A static field is initialised
once per process, so a mutant in its initializer takes effect only if it happens to be active at that moment, and
then stays in force for every later mutant tested in that process (stryker-net issue 3742). Such mutants would be
reported as survivors they are not, and could kill others falsely; the bench leaves them out and says how many.

Spans are UTF-16 offsets into the file, as Roslyn counts them; a span covers the declaration from 'static' to its ';'.
"""
import os
import re
import sys

MODIFIER = re.compile(r"\bstatic\b")


def skip_literal(text, i):
    """Returns the index after the literal or comment starting at i, or i when none starts there."""
    if text.startswith("//", i):
        end = text.find("\n", i)
        return len(text) if end < 0 else end
    if text.startswith("/*", i):
        return text.index("*/", i + 2) + 2
    m = re.match(r'\$*@?\$*("{3,})', text[i:])
    if m:  # raw string literal: closed by the same number of quotes
        quotes = m.group(1)
        return text.index(quotes, i + m.end()) + len(quotes)
    m = re.match(r'\$*(@)?\$*"', text[i:])
    if m:
        j = i + m.end()
        verbatim = m.group(1) is not None
        while True:
            c = text[j]
            if verbatim and c == '"' and text.startswith('""', j):
                j += 2
            elif not verbatim and c == "\\":
                j += 2
            elif c == '"':
                return j + 1
            else:
                j += 1
    if text[i] == "'":
        m = re.match(r"'(\\.|[^\\'])+'", text[i:])
        if m:
            return i + m.end()
    return i


def static_initializers(text):
    """(start, end) character spans of static field and property initializers, declaration included."""
    spans = []
    for m in MODIFIER.finditer(text):
        if in_literal(text, m.start()):
            continue
        i, depth, angle, initializer = m.end(), 0, 0, False
        while i < len(text):
            j = skip_literal(text, i)
            if j != i:
                i = j
                continue
            c = text[i]
            if depth == 0 and not initializer:
                if text.startswith("=>", i) or (c == "(" and angle == 0 and names_a_member(text, i)):
                    break  # method, expression-bodied member or static constructor: runs per call
                if c == "=":
                    initializer = True
                elif c == ";":
                    break  # field without initializer
                elif c == "<":
                    angle += 1
                elif c == ">":
                    angle -= 1
            if c in "([{":
                depth += 1
            elif c in ")]}":
                depth -= 1
                if depth < 0:
                    break
                if depth == 0 and c == "}" and not initializer and not re.match(r"\s*=(?!>)", text[i + 1:]):
                    break  # a type or a property without initializer
            elif c == ";" and depth == 0:
                if initializer:
                    spans.append((line_start(text, m.start()), i + 1))
                break
            i += 1
    return spans


def called_methods(text, spans):
    """Spans of the methods of this file that a static initializer calls: they run during static construction too."""
    result = []
    called = {name for s, e in spans for name in re.findall(r"(?<![\w.])(?<!new )([A-Z]\w*)\s*\(", text[s:e])}
    for name in sorted(called):
        for m in re.finditer(r"^[ \t]*[\w<>\[\],? ]*\b" + name + r"\s*\(", text, re.MULTILINE):
            if in_literal(text, m.start()):
                continue
            end = member_end(text, m.end())
            if end is not None:
                result.append((m.start(), end))
    return result


def member_end(text, i):
    """The index after a method body that starts after its parameter list at i: a { } block or '=> ...;'."""
    depth = 1  # inside the parameter list
    while i < len(text):
        j = skip_literal(text, i)
        if j != i:
            i = j
            continue
        c = text[i]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0 and c == "}":
                return i + 1
        elif c == ";" and depth == 0:
            return i + 1
        i += 1
    return None


def names_a_member(text, pos):
    """True when the '(' at pos follows a member name (a method or constructor), not a keyword before a tuple type."""
    m = re.search(r"(\w+)\s*$", text[:pos])
    return m is not None and m.group(1) not in ("static", "readonly", "new", "volatile", "unsafe", "extern", "public",
                                                 "private", "internal", "protected")


def in_literal(text, pos):
    """True when pos lies inside a comment or string literal (scans the file from the start)."""
    i = 0
    while i < pos:
        j = skip_literal(text, i)
        if j > pos:
            return True
        i = j if j != i else i + 1
    return False


def line_start(text, pos):
    return text.rfind("\n", 0, pos) + 1


def utf16(text, pos):
    return len(text[:pos].encode("utf-16-le")) // 2


def main():
    for folder in sys.argv[1:]:
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames[:] = sorted(d for d in dirnames if d not in ("bin", "obj"))
            for name in sorted(filenames):
                if not name.endswith(".cs"):
                    continue
                path = os.path.abspath(os.path.join(dirpath, name))
                with open(path, encoding="utf-8-sig", newline="") as f:
                    text = f.read()
                spans = static_initializers(text)
                spans += called_methods(text, spans)
                if spans:
                    print("!" + path + "".join(f"{{{utf16(text, s)}..{utf16(text, e)}}}" for s, e in spans))


if __name__ == "__main__":
    main()
