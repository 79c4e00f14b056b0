"""Plain-text tables for `make bench`: aligned columns, numbers with thousands separators."""


def fmt(value, unit=""):
    """A number for a table cell: None → '—', 4+ digits with separators, small values with decimals."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if abs(value) >= 100:
        text = f"{value:,.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.2f}"
    return text + unit


def render(header, rows, left_tail=0):
    """Rows of strings under ``header``, each column padded to its widest cell: the first and the
    last ``left_tail`` columns left-aligned, numbers right-aligned."""
    table = [header] + rows
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]

    def line(r):
        cells = [r[0].ljust(widths[0])] + [c.rjust(w) if i < len(r) - left_tail else c.ljust(w) for i, (c, w) in enumerate(zip(r[1:], widths[1:]), 1)]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule] + [line(r) for r in rows])
