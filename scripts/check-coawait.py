#!/usr/bin/python3
"""Checks for the co_await forms that GCC 12 miscompiles (shared/STYLE.md, Async model).

GCC 12 generates wrong code for a co_await inside a condition or a short-circuit operand:
`if (co_await F())`, `while (co_await G())`, `for (...; co_await H(); ...)`, `switch (co_await
K())`, and a co_await as an operand of `&&`, `||` or `?:`. Put the result in a local first:

    bool ok = co_await F();
    if (ok) ...

Scans src/, tests/, bench/ and fuzz/ (.h and .cc), comments and string literals left out.
Prints one line per finding and exits 1; else "co_await: ... no co_await in a condition".
"""

import os
import re
import sys

DIRS = ["src", "tests", "bench", "fuzz"]
COND = re.compile(r"\b(if|while|for|switch)\s*(constexpr\s*)?\(")
AWAIT = re.compile(r"\bco_await\b")
IDENT = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")


def strip(text):
    """Blanks comments and string/char literals, keeping offsets and newlines."""
    out, i, n = list(text), 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
        elif c == 'R' and text.startswith('R"', i) and (i == 0 or not text[i - 1].isalnum()):
            k = text.find("(", i)
            delim = ")" + text[i + 2:k] + '"'
            j = text.find(delim, k)
            j = n if j < 0 else j + len(delim)
        elif c in "\"'" and not (c == "'" and i > 0 and text[i - 1].isalnum()):
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            j += 1
        else:
            i += 1
            continue
        for k in range(i, min(j, n)):
            if out[k] != "\n":
                out[k] = " "
        i = j
    return "".join(out)


def matching(text, open_at):
    """Index of the bracket closing the one at open_at (any of ( [ {), or len(text)."""
    depth = 0
    for j in range(open_at, len(text)):
        if text[j] in "([{":
            depth += 1
        elif text[j] in ")]}":
            depth -= 1
            if depth == 0:
                return j
    return len(text)


def operand_end(text, i):
    """End of the operand of the co_await whose keyword ends at i: a postfix expression."""
    n = len(text)
    while True:
        while i < n and text[i] in " \t\n":
            i += 1
        m = IDENT.match(text, i)
        if m:
            i = m.end()
        elif i < n and text[i] in "([{":
            i = matching(text, i) + 1
        elif text.startswith("::", i) or text.startswith("->", i):
            i += 2
        elif i < n and text[i] == ".":
            i += 1
        else:
            return i


def findings(text):
    out = []
    for m in COND.finditer(text):
        open_at = m.end() - 1
        close = matching(text, open_at)
        cond = text[open_at:close]
        if m.group(1) == "for":
            # Only the condition part: the range of a range-for is evaluated once, and is fine.
            parts = cond.split(";")
            cond = parts[1] if len(parts) == 3 else ""
        a = AWAIT.search(cond)
        if a:
            out.append((open_at + a.start(), f"co_await in the condition of '{m.group(1)}'"))
    for a in AWAIT.finditer(text):
        before = text[:a.start()].rstrip()
        while before.endswith(("!", "(")):
            before = before[:-1].rstrip()
        if before.endswith(("&&", "||", "?")) or (before.endswith(":") and not
                                                  before.endswith("::") and "?" in
                                                  before[before.rfind(";") + 1:]):
            out.append((a.start(), "co_await as an operand of &&, || or ?:"))
            continue
        after = text[operand_end(text, a.end()):].lstrip()
        if after.startswith(("&&", "||", "?")):
            out.append((a.start(), "co_await as an operand of &&, || or ?:"))
    return out


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    bad, files = [], 0
    for d in DIRS:
        for dirpath, _, names in os.walk(os.path.join(root, d)):
            for name in sorted(names):
                if not name.endswith((".h", ".cc")):
                    continue
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, root)
                files += 1
                with open(path, errors="replace") as f:
                    text = strip(f.read())
                for pos, what in sorted(set(findings(text))):
                    bad.append(f"{rel}:{text.count(chr(10), 0, pos) + 1}: {what}")
    for line in bad:
        print(line)
    if bad:
        print(f"co_await: FAILED, {len(bad)} co_await in a condition or operand (GCC 12 "
              "miscompiles them: put the result in a local first)")
        return 1
    print(f"co_await: {files} files, no co_await in a condition or operand")
    return 0


if __name__ == "__main__":
    sys.exit(main())
