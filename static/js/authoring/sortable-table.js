// A table whose column headings sort it: a button in each heading, aria-sort on the sorted one.
import { el } from "./dom.js";

/**
 * columns: [{ key, label, sort?: row => value (null sorts last), cell: row => Node|string, numeric?, sortable? }]
 * Answers { setRows(rows) }.
 */
export function sortableTable(table, columns, { empty = "Nothing to show.", initial, rowKey } = {}) {
  const headRow = table.tHead.rows[0];
  const body = table.tBodies[0];
  let rows = [];
  let sortKey = initial?.key ?? null;
  let direction = initial?.direction ?? "ascending";

  const headers = columns.map((column) => {
    const th = el("th", { scope: "col", class: column.numeric ? "num" : "" });
    if (column.sortable === false) {
      th.textContent = column.label;
    } else {
      const button = el("button", { type: "button", class: "sort" }, column.label,
        el("span", { class: "sort-mark", "aria-hidden": "true" }));
      button.addEventListener("click", () => {
        direction = sortKey === column.key && direction === "ascending" ? "descending" : "ascending";
        sortKey = column.key;
        render();
        button.focus();
      });
      th.append(button);
    }
    return th;
  });
  headRow.replaceChildren(...headers);

  function compare(a, b, column) {
    const x = column.sort ? column.sort(a) : a[column.key];
    const y = column.sort ? column.sort(b) : b[column.key];
    if (x === null || x === undefined) return y === null || y === undefined ? 0 : 1; // empty last, either way
    if (y === null || y === undefined) return -1;
    const order = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
    return direction === "ascending" ? order : -order;
  }

  function render() {
    const column = columns.find((c) => c.key === sortKey);
    const sorted = column ? [...rows].sort((a, b) => compare(a, b, column)) : rows;
    headers.forEach((th, index) => {
      const active = columns[index].key === sortKey;
      if (active) th.setAttribute("aria-sort", direction);
      else th.removeAttribute("aria-sort");
      const mark = th.querySelector(".sort-mark");
      if (mark) mark.textContent = active ? (direction === "ascending" ? " ▲" : " ▼") : "";
    });
    if (!sorted.length) {
      body.replaceChildren(el("tr", {}, el("td", { colspan: columns.length, class: "empty" }, empty)));
      return;
    }
    body.replaceChildren(...sorted.map((row) => el("tr", { "data-key": rowKey ? rowKey(row) : undefined },
      columns.map((c, index) => el(index === 0 ? "th" : "td", { scope: index === 0 ? "row" : undefined,
        class: c.numeric ? "num" : "" }, c.cell(row))))));
  }

  return {
    setRows(next) {
      rows = next;
      render();
    },
  };
}
