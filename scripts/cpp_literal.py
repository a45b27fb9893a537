"""Bytes as a C++ string literal, for the scripts that embed files into the binary."""


def cpp_literal(data: bytes) -> str:
    out = []
    for b in data:
        ch = chr(b)
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "?":
            out.append("\\?")  # no trigraphs
        elif " " <= ch <= "~":
            out.append(ch)
        else:
            out.append(f"\\{b:03o}")  # octal escapes stop after three digits, unlike \x
    return '"' + "".join(out) + '"'
