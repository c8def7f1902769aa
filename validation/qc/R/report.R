# The QC report as a self-contained HTML page (the JSON report holds the same content).

html_escape <- function(x) {
  x <- gsub("&", "&amp;", as.character(x), fixed = TRUE)
  x <- gsub("<", "&lt;", x, fixed = TRUE)
  gsub(">", "&gt;", x, fixed = TRUE)
}

html_table <- function(entries, columns) {
  if (length(entries) == 0) return("<p>None.</p>")
  head <- paste0("<tr>", paste0("<th>", html_escape(columns), "</th>", collapse = ""), "</tr>")
  body <- vapply(entries, function(e) {
    cells <- vapply(columns, function(c) {
      v <- e[[c]]
      if (is.null(v) || (length(v) == 1 && is.na(v))) "" else
        if (is.numeric(v)) format(v, digits = 12) else as.character(v)
    }, "")
    paste0("<tr>", paste0("<td>", html_escape(cells), "</td>", collapse = ""), "</tr>")
  }, "")
  paste0("<table>", head, paste(body, collapse = "\n"), "</table>")
}

write_html_report <- function(report, path) {
  s <- report$summary
  key <- c("analysis_id", "output_id", "group1_level", "group2", "group2_level", "variable",
           "variable_level", "stat_name")
  page <- c(
    "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">",
    sprintf("<title>QC report: %s</title>", html_escape(report$run_label)),
    "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;font-size:90%}",
    "td,th{border:1px solid #bbb;padding:2px 6px;text-align:left}.pass{color:#060}.fail{color:#a00}</style>",
    "</head><body>",
    sprintf("<h1>Independent QC of run %s: <span class=\"%s\">%s</span></h1>",
            html_escape(report$run_label), report$status, toupper(report$status)),
    sprintf("<p>Run directory %s, finished %s. The run's analysis results data (ard.csv) against the independent R program's (validation/qc/qc.R). Tolerances: p-values absolute 1e-4, other statistics relative 1e-6; a missing value matches only a missing value.</p>",
            html_escape(report$run), html_escape(report$run_finished_utc)),
    "<ul>",
    sprintf("<li>%d statistics matched</li><li>%d mismatched</li><li>%d only in the run (covered analyses)</li><li>%d only in QC</li><li>%d run rows of analyses QC does not cover</li><li>%d printed numbers checked, %d not found in the notebook's ARD</li>",
            s$matched, s$mismatched, s$only_in_run, s$only_in_qc, s$not_covered_rows,
            s$printed_numbers, s$printed_unmatched),
    "</ul>",
    "<h2>Mismatched</h2>", html_table(report$mismatched, c(key, "run", "qc", "difference", "tolerance")),
    "<h2>Only in the run</h2>", html_table(report$only_in_run, c(key, "run")),
    "<h2>Only in QC</h2>", html_table(report$only_in_qc, c(key, "qc")),
    "<h2>Printed numbers not in the ARD</h2>",
    html_table(report$printed_unmatched, c("table", "row", "column", "number", "cell")),
    "<h2>Analyses not covered by QC</h2>", html_table(report$not_covered, c("analysis_id", "rows")),
    "<details><summary><h2 style=\"display:inline\">Matched</h2></summary>",
    html_table(report$matched, c(key, "run", "qc", "stat_fmt")), "</details>",
    "</body></html>")
  writeLines(page, path, useBytes = TRUE)
}
