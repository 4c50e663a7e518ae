"""CSV for spreadsheets: cells a spreadsheet will not run as formulas (names and texts come from people)."""


def safe_cell(value):
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
