"""Filter controls above an index table; ``assets/lmhub.js`` wires them and the sorting.

The controls are plain HTML the generator writes (every value escaped), so the table works as
a normal, sortable-by-nothing table when JavaScript is off.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from site_tools.site.text import html


def filter_controls(
    table_id: str,
    headers: Sequence[str],
    columns: Mapping[str, Sequence[str]],
    *,
    word_columns: frozenset[str] | set[str] = frozenset(),
) -> str:
    """A row of ``<select>`` filters, one per named column, plus a free-text box.

    Parameters
    ----------
    table_id
        ``id`` of the element around the table.
    headers
        The table's column headers, in order (a filter names its column by position).
    columns
        Header to the values offered for it.
    word_columns
        Columns that hold several words (tags): a row matches when one of them equals the
        chosen value, instead of the whole cell.
    """
    parts = [f'<div class="lmhub-filters" data-table="{html(table_id)}">']
    for header, values in columns.items():
        if header not in headers or not values:
            continue
        index = list(headers).index(header)
        mode = "word" if header in word_columns else "cell"
        options = "".join(f'<option value="{html(v)}">{html(v)}</option>' for v in values)
        parts.append(
            f'<label>{html(header)} <select data-column="{index}" data-match="{mode}">'
            f'<option value="">all</option>{options}</select></label>'
        )
    parts.append(
        '<label>Text <input type="search" data-column="*" '
        'placeholder="filter rows" aria-label="filter rows"></label>'
    )
    parts.append('<span class="lmhub-filter-count" aria-live="polite"></span></div>')
    return "".join(parts)
