#!/usr/bin/env Rscript
# Reads a run's analysis results data RUN/ard.csv with base R only (utils::read.csv; no
# package) and checks one statistic against an expected value: by default the stratified
# hazard ratio of overall survival (analysis_id OS.cox.primary, stat_name estimate, group1_level
# "B vs A"), as an R user of the published run would read it (docs/ard.md, "Files").
#
#   Rscript validation/r/check_ard_csv.R RUN/ard.csv EXPECTED [ANALYSIS_ID] [STAT_NAME]
#
# EXPECTED is the value another output of the run states, e.g. hazard_ratio.hr of
# RUN/results/03_overall_survival.json (tests/test_ard_csv_r.py passes it). The results JSON
# holds floats to 12 significant digits (helpers.core.atomic.FLOAT_DIGITS) and ard.csv to 17
# (exact), so both are compared as printed with %.12g. Prints the row and both values; exit
# status 0 equal, 1 different, 2 the file or the row is missing or the row is not unique.

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 2) {
  message("usage: Rscript validation/r/check_ard_csv.R RUN/ard.csv EXPECTED [ANALYSIS_ID] [STAT_NAME]")
  quit(save = "no", status = 2)
}
path <- args[1]
expected <- as.numeric(args[2])
analysis_id <- if (length(args) >= 3) args[3] else "OS.cox.primary"
stat_name <- if (length(args) >= 4) args[4] else "estimate"
if (!file.exists(path)) {
  message(path, " does not exist: run `jcog1017-run PARAMS.yaml` first")
  quit(save = "no", status = 2)
}

# Every column as text (levels like "36" and "B vs A" stay as written, an empty cell is ""),
# then the value column as a number: the way to read the ARD without surprises.
ard <- utils::read.csv(path, colClasses = "character", na.strings = character(),
                       encoding = "UTF-8")
ard$stat <- as.numeric(ard$stat)  # "" (not estimable) -> NA

hit <- ard[ard$analysis_id == analysis_id & ard$stat_name == stat_name &
             ard$group1_level == "B vs A" & ard$group2 == "", , drop = FALSE]
if (nrow(hit) != 1) {
  message(path, ": ", nrow(hit), " rows of analysis_id ", analysis_id, ", stat_name ",
          stat_name, ", group1_level \"B vs A\" (expected exactly 1)")
  quit(save = "no", status = 2)
}
value <- hit$stat
cat(sprintf("%s %s %s [%s, %s, conf_level %s]: ard.csv %.17g (printed %s), expected %.17g\n",
            hit$notebook, analysis_id, stat_name, hit$method_id, hit$population,
            hit$conf_level, value, hit$stat_fmt, expected))
same <- !is.na(value) && !is.na(expected) &&
  identical(sprintf("%.12g", value), sprintf("%.12g", expected))
if (!same) {
  message("DIFFERENT: ard.csv ", sprintf("%.12g", value), ", expected ", sprintf("%.12g", expected))
  quit(save = "no", status = 1)
}
cat("EQUAL to 12 significant digits\n")
