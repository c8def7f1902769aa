#!/usr/bin/env Rscript
# Compares a complete run's analysis results data (RUN/ard.csv, docs/ard.md) with the
# independent QC program's (RUN/qc/qc_ard.csv, written by qc.R), and checks that every number
# printed in the run's tables (RUN/tables/NN_name/*.csv) is a number of that notebook's ARD
# (column stat_fmt: "the printed equals the computed").
#
#   Rscript validation/qc/compare.R --params params/default.yaml
#   Rscript validation/qc/compare.R --run RUN [--ard RUN/ard.csv] [--qc RUN/qc/qc_ard.csv] [--out RUN/qc]
#
# Rows are matched by (analysis_id, group1, group1_level, group2, group2_level, variable,
# variable_level, stat_name). Tolerances: p-values (stat_name p.value*, Q.p.value) absolute
# 1e-4; every other statistic relative 1e-6 (|run - qc| <= 1e-6 * max(|run|, |qc|)); a
# missing value (not estimable) matches only a missing value; conf_level must be equal.
# Analyses QC computes are "covered": for them a mismatch, a row only in the run or a row only
# in QC is a failure. Rows of analyses QC does not compute are listed as not covered.
# Writes RUN/qc/qc_report.json and RUN/qc/qc_report.html; exit status 0 pass, 1 failure,
# 2 refused (incomplete run record, missing ARD), 3 R packages missing.

qc_dir <- local({
  arg <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  dirname(normalizePath(sub("^--file=", "", arg[1])))
})
source(file.path(qc_dir, "R", "packages.R"))
require_packages(c(jsonlite = "r-cran-jsonlite", yaml = "r-cran-yaml"))
for (f in c("ard.R", "record.R", "cli.R", "printed.R", "report.R")) source(file.path(qc_dir, "R", f))

P_TOLERANCE <- 1e-4
REL_TOLERANCE <- 1e-6
is_p_value <- function(stat_name) grepl("^p\\.value", stat_name) | stat_name == "Q.p.value"

read_ard <- function(path, what) {
  if (!file.exists(path)) qc_stop(what, " ", path, " does not exist",
                                  if (what == "run ARD") paste0(": the run wrote no analysis ",
                                  "results data (docs/ard.md); rerun it with a runner that does")
                                  else ": run validation/qc/qc.R first")
  ard <- utils::read.csv(path, colClasses = "character", na.strings = character(),
                         check.names = FALSE, encoding = "UTF-8")
  absent <- setdiff(ARD_COLUMNS, names(ard))
  if (length(absent)) qc_stop(what, " ", path, " lacks the column(s) ",
                              paste(absent, collapse = ", "), " of docs/ard.md")
  ard$stat_value <- suppressWarnings(as.numeric(ard$stat))
  ard$key <- do.call(paste, c(ard[ARD_KEY], sep = "\x1f"))
  dup <- ard$key[duplicated(ard$key)]
  if (length(dup)) qc_stop(what, " ", path, ": ", length(dup), " rows repeat a key, e.g. ",
                           gsub("\x1f", " | ", dup[1]))
  ard
}

#' Agreement of two statistics: list(ok, difference, tolerance).
agree <- function(run, qc, stat_name) {
  if (is.na(run) && is.na(qc)) return(list(ok = TRUE, difference = NA, tolerance = ""))
  if (is.na(run) || is.na(qc)) return(list(ok = FALSE, difference = NA,
                                            tolerance = "one value is missing"))
  if (is_p_value(stat_name)) {
    d <- abs(run - qc)
    return(list(ok = d <= P_TOLERANCE, difference = d, tolerance = "absolute 1e-4"))
  }
  scale <- max(abs(run), abs(qc))
  d <- if (scale == 0) 0 else abs(run - qc) / scale
  list(ok = d <= REL_TOLERANCE, difference = d, tolerance = "relative 1e-6")
}

row_record <- function(r) as.list(r[c("notebook", "output_id", ARD_KEY)])

compare_ards <- function(run, qc) {
  covered <- unique(qc$analysis_id)
  in_cov <- run$analysis_id %in% covered
  out <- list(matched = list(), mismatched = list(), only_in_run = list(), only_in_qc = list())
  index <- match(qc$key, run$key)
  for (i in seq_len(nrow(qc))) {
    j <- index[i]
    if (is.na(j)) {
      out$only_in_qc[[length(out$only_in_qc) + 1]] <- c(row_record(qc[i, ]),
                                                       list(qc = qc$stat_value[i]))
      next
    }
    a <- agree(run$stat_value[j], qc$stat_value[i], qc$stat_name[i])
    cl_run <- suppressWarnings(as.numeric(run$conf_level[j]))
    cl_qc <- suppressWarnings(as.numeric(qc$conf_level[i]))
    cl_ok <- (is.na(cl_run) && is.na(cl_qc)) ||
      (!is.na(cl_run) && !is.na(cl_qc) && abs(cl_run - cl_qc) < 1e-12)
    entry <- c(row_record(run[j, ]), list(run = run$stat_value[j], qc = qc$stat_value[i],
                                          stat_fmt = run$stat_fmt[j],
                                          difference = a$difference, tolerance = a$tolerance))
    cl_ok <- cl_ok || !(qc$stat_name[i] %in% c("conf.low", "conf.high"))
    if (a$ok && cl_ok) {
      out$matched[[length(out$matched) + 1]] <- entry
    } else {
      if (!cl_ok) entry$tolerance <- sprintf("conf_level differs: run %s, QC %s",
                                             run$conf_level[j], qc$conf_level[i])
      out$mismatched[[length(out$mismatched) + 1]] <- entry
    }
  }
  extra <- which(in_cov & !(run$key %in% qc$key))
  for (j in extra) out$only_in_run[[length(out$only_in_run) + 1]] <-
    c(row_record(run[j, ]), list(run = run$stat_value[j]))
  nc <- run[!in_cov, , drop = FALSE]
  out$not_covered <- if (nrow(nc)) {
    counts <- table(nc$analysis_id)
    lapply(names(counts), function(a) list(analysis_id = a, rows = as.integer(counts[[a]])))
  } else list()
  out
}

fmt_value <- function(x) if (is.null(x) || is.na(x)) "missing" else format(x, digits = 12)

describe <- function(e) {
  where <- paste(Filter(nzchar, c(e$group1_level, e$group2, e$group2_level, e$variable,
                                  e$variable_level)), collapse = " ")
  sprintf("%s%s [%s] %s", e$analysis_id,
          if (nzchar(e$output_id %||% "")) paste0(" (", e$output_id, ")") else "",
          where, e$stat_name)
}

#' The QC side's software: R and the packages QC uses (NULL when one is not installed).
qc_software <- function() {
  pkgs <- c("survival", "cmprsk", "metafor", "jsonlite", "yaml", "foreign")
  versions <- lapply(pkgs, function(p) if (requireNamespace(p, quietly = TRUE))
    as.character(utils::packageVersion(p)) else NULL)
  list(R = R.version.string, packages = stats::setNames(versions, pkgs))
}

#' The QC program's checksum: SHA-256 of the lines "<sha256>  <path>" of every validation/qc
#' R file (paths relative to validation/qc, C-locale order), i.e. of the output of
#' `cd validation/qc && find . -name '*.R' | sed 's|^./||' | LC_ALL=C sort | xargs sha256sum`.
qc_program <- function(qc_dir) {
  files <- sort(list.files(qc_dir, pattern = "[.]R$", recursive = TRUE), method = "radix")
  sums <- vapply(files, function(f) sha256_of(file.path(qc_dir, f)), "")
  listing <- tempfile()
  on.exit(unlink(listing))
  writeLines(paste0(sums, "  ", files), listing)
  list(sha256 = sha256_of(listing), files = as.list(stats::setNames(sums, files)))
}

#' The labels of the run's study configuration (checked against the run record).
run_study_labels <- function(record, root) {
  param <- shared_param(record, "study") %||% "studies/default.yaml"
  path <- normalizePath(resolve_path(param, root), mustWork = FALSE)
  if (!file.exists(path)) qc_stop("study configuration ", path, " does not exist")
  study_labels(yaml::read_yaml(check_recorded_file(path, record$study_files,
                                                   "study configuration")$path))
}

main <- function() {
  root <- repo_root(qc_dir)
  args <- parse_args(commandArgs(TRUE), root)
  for_each_run(args, function(run_dir) {
    record <- read_run_record(run_dir)
    out_dir <- args$out %||% file.path(run_dir, "qc")
    run <- read_ard(args$ard %||% file.path(run_dir, "ard.csv"), "run ARD")
    qc <- read_ard(args$qc %||% file.path(out_dir, "qc_ard.csv"), "QC ARD")
    result <- compare_ards(run, qc)
    printed <- check_printed(file.path(run_dir, "tables"), run, run_study_labels(record, root))
    failures <- length(result$mismatched) + length(result$only_in_run) +
      length(result$only_in_qc) + length(printed$unmatched)
    report <- list(
      run = run_dir, run_label = record$run_label, run_finished_utc = record$finished_utc,
      status = if (failures) "fail" else "pass",
      software = qc_software(), qc_program = qc_program(qc_dir),
      tolerances = list(p_value = "absolute 1e-4", other = "relative 1e-6",
                        missing = "a missing value matches only a missing value"),
      summary = list(matched = length(result$matched), mismatched = length(result$mismatched),
                     only_in_run = length(result$only_in_run),
                     only_in_qc = length(result$only_in_qc),
                     not_covered_rows = sum(vapply(result$not_covered, `[[`, 0L, "rows")),
                     printed_numbers = printed$checked,
                     printed_unmatched = length(printed$unmatched),
                     tables_without_ard = length(printed$tables_without_ard)),
      mismatched = result$mismatched, only_in_run = result$only_in_run,
      only_in_qc = result$only_in_qc, not_covered = result$not_covered,
      printed_unmatched = printed$unmatched, tables_without_ard = printed$tables_without_ard,
      matched = result$matched)
    dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)
    jsonlite::write_json(report, file.path(out_dir, "qc_report.json"), auto_unbox = TRUE,
                         pretty = TRUE, digits = NA, na = "null", null = "null")
    write_html_report(report, file.path(out_dir, "qc_report.html"))
    for (e in result$mismatched) message(sprintf("MISMATCH %s: run %s, QC %s (%s)", describe(e),
                                                 fmt_value(e$run), fmt_value(e$qc), e$tolerance))
    for (e in result$only_in_run) message(sprintf("ONLY IN RUN %s: run %s (QC has no such row)",
                                                  describe(e), fmt_value(e$run)))
    for (e in result$only_in_qc) message(sprintf("ONLY IN QC %s: QC %s (the run has no such row)",
                                                 describe(e), fmt_value(e$qc)))
    for (u in printed$unmatched) message(sprintf(
      "PRINTED %s row %d column %d: %s in '%s' is no stat_fmt of %s's ARD", u$table, u$row,
      u$column, u$number, u$cell, u$notebook))
    s <- report$summary
    message(sprintf(paste0("QC %s: %d matched, %d mismatched, %d only in run, %d only in QC, ",
                           "%d rows not covered; printed numbers: %d checked, %d unmatched -> %s"),
                    toupper(report$status), s$matched, s$mismatched, s$only_in_run, s$only_in_qc,
                    s$not_covered_rows, s$printed_numbers, s$printed_unmatched,
                    file.path(out_dir, "qc_report.html")))
    if (failures) 1L else 0L
  })
}

main()
