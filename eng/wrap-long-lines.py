#!/usr/bin/env python3
"""Wraps C# lines longer than the .editorconfig limit (max_line_length = 140) at token boundaries.

Usage: python3 eng/wrap-long-lines.py [--check] [files...]   (default: every tracked *.cs file)

Only whitespace between tokens changes, which C# ignores, so the compiled code stays the same: a line is split at the
lowest-nesting ` => `, `&&`/`||`, `??`, `?`/`:`, `,` or ` = ` outside string literals, char literals and comments,
and the rest goes on a continuation line indented four more spaces. `//` and `///` comments are re-flowed at word
boundaries. Lines inside raw or verbatim multi-line strings, preprocessor lines, and lines whose only long part is one
string literal (which would have to be rewritten to be split) are left as they are; `--check` lists what remains.
"""
import re
import subprocess
import sys

LIMIT = 140


def tokens_outside_strings(line):
    """(index, char, depth, in_code) per char: in_code is True in code, False in string/char literals, None in a comment."""
    depth = 0
    angle_stack = []
    i = 0
    n = len(line)
    out = []
    while i < n:
        c = line[i]
        if line.startswith('//', i):
            for j in range(i, n):
                out.append((j, line[j], depth, None))  # None: a comment (False: a literal)
            break
        if c == '"' or (c in '$@' and i + 1 < n and line[i + 1] in '"$@'):
            # a string literal: regular, verbatim (@"), interpolated ($"), or both; holes {...} are treated as string
            j = i
            verbatim = False
            while j < n and line[j] in '$@':
                verbatim = verbatim or line[j] == '@'
                j += 1
            if line.startswith('"""', j):
                return None  # raw string literals: leave the line alone
            j += 1
            brace = 0
            while j < n:
                ch = line[j]
                if ch == '\\' and not verbatim:
                    j += 2
                    continue
                if ch == '{':
                    brace += 1
                elif ch == '}':
                    brace = max(0, brace - 1)
                elif ch == '"' and brace == 0:
                    if verbatim and j + 1 < n and line[j + 1] == '"':
                        j += 2
                        continue
                    break
                elif ch == '"' and brace > 0:
                    # a string inside an interpolation hole: skip it
                    k = j + 1
                    while k < n and line[k] != '"':
                        k += 2 if line[k] == '\\' else 1
                    j = k
                j += 1
            if j >= n:
                return None  # unterminated on this line (multi-line literal): leave it
            for k in range(i, j + 1):
                out.append((k, line[k], depth, False))
            i = j + 1
            continue
        if c == "'":
            j = i + 1
            while j < n and line[j] != "'":
                j += 2 if line[j] == '\\' else 1
            for k in range(i, min(j + 1, n)):
                out.append((k, line[k], depth, False))
            i = j + 1
            continue
        if c == '<' and i > 0 and (line[i - 1].isalnum() or line[i - 1] == '_') and i + 1 < n and (line[i + 1].isalpha() or line[i + 1] in '(['):
            out.append((i, c, depth, True))
            depth += 1
            angle_stack.append(depth)
        elif c == '>' and angle_stack and angle_stack[-1] == depth:
            depth -= 1
            angle_stack.pop()
            out.append((i, c, depth, True))
        elif c in '([{':
            out.append((i, c, depth, True))
            depth += 1
        elif c in ')]}':
            depth -= 1
            out.append((i, c, depth, True))
        else:
            out.append((i, c, depth, True))
        i += 1
    return out


OPERATORS = [' => ', ' && ', ' || ', ' ?? ', ' ? ', ' : ', ', ', ' = ', ' + ', ' or ', ' and ', ' when ', ' is ', ' join ', ' from ',
             ' select ', ' where ', ' into ', ' orderby ', '(']


def break_points(line, chars):
    """Candidate splits as (rank, position, before): `before` puts the operator on the next line."""
    code = {i: (d, ok) for i, _, d, ok in chars}
    found = []
    for op in OPERATORS:
        start = 0
        while True:
            k = line.find(op, start)
            if k < 0:
                break
            start = k + 1
            if not all(code.get(p, (0, False))[1] for p in range(k, k + len(op))):
                continue
            depth = code[k][0]
            if op == '(':
                if k + 1 < len(line) and line[k + 1] != ')' and k > 0 and (line[k - 1].isalnum() or line[k - 1] in '_>'):
                    found.append((depth + 1, 4, k + 1, False))  # after the opening parenthesis of a call
                continue
            if op == ', ':
                found.append((depth, 1, k + 1, False))  # after the comma
            elif op == ' => ':
                found.append((depth, 0, k + 3, False))  # after the arrow
            elif op == ' = ':
                found.append((depth, 3, k + 2, False))
            else:
                found.append((depth, 2, k, True))  # before the operator
    return found


def split_line(line):
    if len(line) <= LIMIT:
        return [line]
    stripped = line.lstrip()
    indent = line[: len(line) - len(stripped)]
    if stripped.startswith('#'):
        return [line]
    if stripped.startswith('//'):
        return wrap_comment(line, indent, stripped)
    chars = tokens_outside_strings(line)
    if chars is None:
        return [line]
    comment_at = next((i for i, c, _, ok in chars if ok is None), None)
    if comment_at is not None and comment_at > len(indent):
        # a trailing comment goes on its own line above the code
        code = line[:comment_at].rstrip()
        return split_line(indent + line[comment_at:]) + split_line(code)
    candidates = [c for c in break_points(line, chars) if len(indent) + 8 < c[2] <= LIMIT]
    if not candidates:
        return split_string_literal(line, indent)
    min_depth = min(c[0] for c in candidates)
    best = [c for c in candidates if c[0] == min_depth]
    # prefer the kind of break that reads best, then the rightmost one that fits
    best.sort(key=lambda c: (c[1], -c[2]))
    _, _, pos, _ = best[0]
    first = line[:pos].rstrip()
    rest = line[pos:].lstrip()
    if not rest or len(first) <= len(indent):
        return [line]
    return [first] + split_line(indent + '    ' + rest)


def split_string_literal(line, indent):
    """Splits a plain or interpolated string literal that crosses the limit into two joined with `+` (the same string).

    Only where the literal is a whole operand: not followed by `.`, `[` or a suffix (u8), and an interpolated literal
    only at a space outside its holes; verbatim and raw literals are left alone.
    """
    for match in re.finditer(r'(\$?)"((?:[^"\\]|\\.)*)"', line):
        start, end = match.span()
        if end <= LIMIT or start >= LIMIT - 10:
            continue
        if start > 0 and line[start - 1] in '@$"' or line[end:end + 1] in ('.', '[', 'u', '"'):
            continue
        chars = tokens_outside_strings(line[:start])
        if chars is None or any(not ok for _, _, _, ok in chars):
            continue  # the match starts inside another literal or a comment
        interpolated = match.group(1) == '$'
        body_start = match.start(2)
        depth = 0
        cut = None
        for i in range(body_start, min(end - 1, LIMIT - 3)):
            ch = line[i]
            if interpolated and ch == '{':
                depth += 1
            elif interpolated and ch == '}':
                depth -= 1
            elif ch == ' ' and depth == 0 and line[i - 1] != '\\' and i > body_start + 10:
                cut = i + 1
        if cut is None:
            continue
        prefix = '$' if interpolated else ''
        first = line[:cut] + '" +'
        rest = indent + '    ' + prefix + '"' + line[cut:]
        return [first] + split_line(rest)
    return [line]


def wrap_comment(line, indent, stripped):
    prefix_match = re.match(r'(///?\s?)', stripped)
    prefix = prefix_match.group(1)
    text = stripped[len(prefix):]
    if '://' in text and len(indent + prefix) + max(len(w) for w in text.split()) > LIMIT:
        return [line]
    words = text.split(' ')
    lines = []
    current = ''
    for w in words:
        candidate = (current + ' ' + w) if current else w
        if len(indent + prefix + candidate) > LIMIT and current:
            lines.append(indent + prefix + current)
            current = w
        else:
            current = candidate
    if current:
        lines.append(indent + prefix + current)
    return lines


def process(path, check):
    with open(path, encoding='utf-8') as f:
        text = f.read()
    lines = text.split('\n')
    out = []
    in_raw = False
    in_verbatim = False
    remaining = []
    for number, line in enumerate(lines, 1):
        raw_marks = line.count('"""')
        if in_verbatim:
            out.append(line)
            if line.replace('""', '').count('"') % 2 == 1:
                in_verbatim = False
            continue
        if in_raw or raw_marks:
            out.append(line)
            if raw_marks % 2 == 1:
                in_raw = not in_raw
            if len(line) > LIMIT:
                remaining.append((number, line))
            continue
        if re.search(r'(@\$?|\$@)"', line) and tokens_outside_strings(line) is None:
            in_verbatim = True  # a verbatim string that goes on past this line
            out.append(line)
            continue
        new = split_line(line)
        out.extend(new)
        remaining.extend((number, l) for l in new if len(l) > LIMIT)
    result = '\n'.join(out)
    if not check and result != text:
        with open(path, 'w', encoding='utf-8') as f:
            f.write(result)
    return remaining


def main():
    args = sys.argv[1:]
    check = '--check' in args
    files = [a for a in args if a != '--check']
    if not files:
        files = subprocess.run(['git', 'ls-files', '*.cs'], capture_output=True, text=True, check=True).stdout.split()
    total = 0
    for path in files:
        for number, line in process(path, check):
            total += 1
            if check:
                print(f'{path}:{number}: {len(line)} characters')
    print(f'{total} lines over {LIMIT} characters remain', file=sys.stderr)
    return 1 if check and total else 0


if __name__ == '__main__':
    sys.exit(main())
